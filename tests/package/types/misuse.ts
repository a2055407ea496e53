// Deliberate misuses of resources-client: each must be a type error. The check
// compiles this file with `tsc --strict --noEmit`; if a marked line stops being
// an error, `@ts-expect-error` itself fails, and so does the check.
import {
  ResourcesClient,
  ResourcesError,
  fetchResources,
  validateRunOptions,
  findModel,
  diffResources,
  parseResources,
  type KnownErrorCode,
  type Modality,
  type Model,
  type Resources,
  type StorageLike,
} from 'resources-client';

declare const resources: Resources;
declare const model: Model;

// @ts-expect-error unknown option (a typo of baseUrl)
new ResourcesClient({ baseURL: 'http://x' });
// @ts-expect-error storage must be "local", "memory", "indexeddb" or a StorageLike
new ResourcesClient({ storage: 'session' });
// @ts-expect-error a StorageLike needs removeItem
const partial: StorageLike = { getItem: () => null, setItem: () => {} };
// @ts-expect-error timeoutMs is a number
new ResourcesClient({ timeoutMs: '5000' });
// @ts-expect-error header values are strings
new ResourcesClient({ headers: { 'x-n': 1 } });

export async function misuse(client: ResourcesClient, e: ResourcesError): Promise<void> {
  // @ts-expect-error fetchResources takes refresh and signal only
  await client.fetchResources({ force: true });
  // @ts-expect-error the one-shot form returns a Promise, not a result
  const h: string = fetchResources().hash;
  // @ts-expect-error hash may be null
  const hash: string = client.hash;
  // @ts-expect-error hash is read-only
  client.hash = 'abc';
  // @ts-expect-error stale is read-only
  client.stale = true;
  // @ts-expect-error cached() may return null
  const n: number = client.cached().fetchedAt;
  // @ts-expect-error source is "network" or "cache"
  const s: 'memory' = (await client.fetchResources()).source;
  // @ts-expect-error onChange's callback receives a ResourcesResult
  client.onChange((r: string) => r);
  // @ts-expect-error observe takes a Response
  client.observe('update-resources');
  // @ts-expect-error observe needs headers.get, not a plain record
  client.observe({ status: 200, headers: { 'action-require': 'update-resources' } });
  // @ts-expect-error parseResources takes text or bytes, not an already parsed object
  parseResources({ status: 'SUCCESS' });
  // @ts-expect-error parseResources takes strict only
  parseResources('{}', { refresh: true });
  // @ts-expect-error a parsed result has no source (it was not fetched by the client)
  const src: string = parseResources('{}').source;
  // @ts-expect-error KnownErrorCode is closed: a future code is only in the open `code`
  const k: KnownErrorCode = 'SOME_FUTURE_CODE';
  // @ts-expect-error header pairs are two strings
  new ResourcesClient({ headers: [['x-a']] });
  // @ts-expect-error validateRunOptions takes an object of options, not a string
  validateRunOptions(resources, 'o3', 'quality=high');
  // @ts-expect-error the public surface has no `any`: a result field is not a number
  const w: number = (await client.fetchResources()).warnings;
  // @ts-expect-error status is a number
  const status: string = e.status;
  // @ts-expect-error path may be undefined
  const path: string = e.path;
  // @ts-expect-error code is a string
  const code: number = e.code;
  // @ts-expect-error a Modality is a string
  const m: Modality = 3;
  // @ts-expect-error a model's run options are objects, not strings
  const first: string = model.availableRunOptions[0];
  // @ts-expect-error an unknown section is unknown, not usable as a number
  const limits: number = resources['limits'];
  // @ts-expect-error validateRunOptions needs the model id
  validateRunOptions(resources, { quality: 'high' });
  // @ts-expect-error findModel may find nothing
  const found: Model = findModel(resources, 'o3');
  // @ts-expect-error diffResources needs the new catalog
  diffResources(resources);
  // @ts-expect-error a diff's modality change is a pair of strings
  const pair: string = diffResources(null, resources).changed[0].modality;
  // @ts-expect-error the validation's errors are objects
  const messages: string[] = validateRunOptions(resources, 'o3', {}).errors;
  void [src, k];
  void [partial, h, hash, n, s, w, status, path, code, m, first, limits, found, pair, messages];
  // The snapshot is shared by every subscriber: it cannot be changed.
  const snapshot = new ResourcesClient().getSnapshot();
  // @ts-expect-error a snapshot's models are read-only
  snapshot.data?.resources.models.push(model);
  // @ts-expect-error a snapshot's fields are read-only
  snapshot.isFetching = true;
}
