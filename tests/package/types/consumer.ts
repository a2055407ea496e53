// Uses every public name of resources-client as an application would; must
// compile with `tsc --strict --exactOptionalPropertyTypes --noEmit` (run by
// tests/package/consumer/run.mjs). tests/package/exports.test.mjs checks that the import
// list below names every export of index.d.ts.
import {
  ResourcesClient,
  ResourcesError,
  fetchResources,
  validateRunOptions,
  findModel,
  modelsByModality,
  runOptionKeys,
  diffResources,
  parseResources,
  type AttemptEvent,
  type ClientErrorCode,
  type ClientOptions,
  type FetchOptions,
  type HeadersOption,
  type KnownErrorCode,
  type Modality,
  type Model,
  type ParsedResources,
  type ParseOptions,
  type Resources,
  type ResourcesBody,
  type ResourcesDiff,
  type ResourcesErrorDetails,
  type ResourcesResult,
  type ResponseLike,
  type RunOption,
  type RunOptionError,
  type RunOptionErrorCode,
  type RunOptionsValidation,
  type ServerErrorCode,
  type StorageLike,
  type DeepReadonly,
  type ResourcesSnapshot,
  type SubscribeOptions,
} from 'resources-client';

// Settings read from the environment may be missing: `undefined` is accepted
// under exactOptionalPropertyTypes (a stand-in for process.env, no @types/node here).
declare const env: Record<string, string | undefined>;
const fromEnv: ClientOptions = { apiKey: env['RESOURCES_API_KEY'], baseUrl: env['RESOURCES_BASE_URL'], timeoutMs: undefined };
const noSignal: FetchOptions = { refresh: undefined, signal: undefined };

// Every HTTP attempt, for logs: the status, or the error and its cause, and the wait before a retry.
const logAttempt = (e: AttemptEvent): string =>
  `${e.attempt} ${e.url} ${e.status} ${e.error?.code ?? ''} ${String(e.error?.cause ?? '')} ${e.retryInMs ?? ''}`;
const withLog: ClientOptions = { onAttempt: (e) => { logAttempt(e); }, apiKey: undefined };

// Headers in every form fetch takes.
const asRecord: HeadersOption = { 'x-trace': '1' };
const asMap: HeadersOption = new Map([['x-trace', '1']]);
const mapClient = new ResourcesClient({ headers: new Map([['x-trace', '1']]) });
const asHeaders: ClientOptions = { headers: new Headers({ 'x-trace': '1' }) };
const asPairs: ClientOptions = { headers: [['x-trace', '1']] };

// Run options typed by an interface (no index signature) are accepted.
interface ImageOptions { quality: 'low' | 'high'; size?: string }
const imageOptions: ImageOptions = { quality: 'high' };

const memory = new Map<string, string>();
const storage: StorageLike = {
  getItem: (k) => memory.get(k) ?? null,
  setItem: (k, v) => { memory.set(k, v); },
  removeItem: (k) => { memory.delete(k); },
};

const options: ClientOptions = {
  baseUrl: 'http://127.0.0.1:8787',
  apiKey: 'sk-mock-demo',
  headers: { 'x-trace': '1' },
  storage,
  storageKey: 'app',
  timeoutMs: 5000,
  retries: 2,
  maxBytes: 1 << 20,
  maxAgeMs: 60_000,
  strict: false,
  fetch: globalThis.fetch,
  dangerouslyAllowBrowser: true,
};
const headersObject: ClientOptions = { headers: new Headers({ 'x-a': '1' }) };
const headerPairs: ClientOptions = { headers: [['x-a', '1']] };
const freedCode: ClientErrorCode = 'CLIENT_FREED';
const withCause = new ResourcesError('m', { code: 'NETWORK_ERROR', cause: new Error('under') });
void [headersObject, headerPairs, freedCode, withCause];
const alsoLocal: ClientOptions = { storage: 'local' };
const alsoMemory: ClientOptions = { storage: 'memory' };
const alsoIndexedDB: ClientOptions = { storage: 'indexeddb' };
// An asynchronous store (Workers KV, IndexedDB, a database): methods that return promises.
const kv = new Map<string, string>();
const asyncStorage: StorageLike = {
  getItem: async (k) => kv.get(k) ?? null,
  setItem: async (k, v) => { kv.set(k, v); },
  removeItem: async (k) => { kv.delete(k); },
};
void [alsoIndexedDB];

export async function consume(): Promise<void> {
  const client = new ResourcesClient(options);
  new ResourcesClient();
  new ResourcesClient(alsoLocal);
  new ResourcesClient(alsoMemory);
  const hydrating = new ResourcesClient({ storage: asyncStorage });
  const ready: Promise<void> = hydrating.ready();
  await ready;
  const key: string = hydrating.storageKey;
  void key;

  const controller = new AbortController();
  const call: FetchOptions = { refresh: true, signal: controller.signal };
  const result: ResourcesResult = await client.fetchResources(call);
  await client.fetchResources();

  const hash: string = result.hash;
  const source: 'network' | 'cache' = result.source;
  const changed: boolean = result.changed;
  const previous: string | null = result.previousHash;
  const fetchedAt: number = result.fetchedAt;
  const stale: boolean = result.stale;
  const warnings: string[] = result.warnings;
  const resources: Resources = result.resources;
  const extra: unknown = resources['limits'];
  for (const m of resources.models) {
    const model: Model = m;
    const id: string = model.model;
    const modality: Modality = model.modality;
    const known: boolean = modality === 'text' || modality === 'image' || modality === 'video';
    const custom: Modality = 'audio';
    for (const o of model.availableRunOptions) {
      const ro: RunOption = o;
      const values: string[] = ro.options;
      void [id, known, custom, ro.key, values];
    }
  }

  const cached: ResourcesResult | null = client.cached();
  const currentHash: string | null = client.hash;
  const isStale: boolean = client.stale;
  const headers: Record<string, string> = client.agentHeaders();
  const asked: boolean = client.observe(new Response('{}', { status: 200 }));
  // Anything with status and headers.get, such as another HTTP library's response.
  const like: ResponseLike = { status: 200, headers: { get: (name: string) => (name === 'action-require' ? 'update-resources' : null) } };
  client.observe(like);
  client.observe({ status: 204, headers: new Headers() });
  const off: () => void = client.onChange((r) => { const h: string = r.hash; void h; });
  // The store interface: a snapshot a screen binds, read-only all the way down.
  const quiet: SubscribeOptions = { fetch: false };
  const unsubscribe: () => void = client.subscribe(() => {}, quiet);
  const snap: ResourcesSnapshot = client.getSnapshot();
  const shown: DeepReadonly<ResourcesResult> | null = snap.data;
  const ids: readonly string[] = snap.data?.resources.models.map((m) => m.model) ?? [];
  const failure: ResourcesError | null = snap.error;
  const busy: [boolean, boolean] = [snap.isFetching, snap.isPending];
  void [unsubscribe, shown, ids, failure, busy];
  off();
  client.clear();
  client.free();
  new ResourcesClient(fromEnv).free();
  const disposable = new ResourcesClient(asHeaders);
  disposable[Symbol.dispose]();
  new ResourcesClient(asPairs).free();

  const once: ResourcesResult = await fetchResources({ ...options, refresh: true, signal: controller.signal });
  await fetchResources();

  try {
    await client.fetchResources();
  } catch (e) {
    if (e instanceof ResourcesError) {
      const err: Error = e;
      const code: string = e.code;
      const status: number = e.status;
      const path: string | undefined = e.path;
      const retryable: boolean = e.retryable;
      const retryAfterMs: number | undefined = e.retryAfterMs;
      const serverCode: ServerErrorCode | ClientErrorCode | (string & {}) = e.code;
      if (e.code === 'UNAUTHORIZED_ERROR' || e.code === 'INVALID_RESPONSE' || e.code === 'SOME_FUTURE_CODE') {
        void e.name;
      }
      // The known codes as their own union, e.g. for an exhaustive switch.
      const known: readonly KnownErrorCode[] = ['TIMEOUT', 'GONE_ERROR'];
      if ((known as readonly string[]).includes(e.code)) void e.code;
      void [err, code, status, path, retryable, retryAfterMs, serverCode];
    }
  }
  const details: ResourcesErrorDetails = { code: 'TIMEOUT', status: 0, retryable: true, path: undefined };
  const made = new ResourcesError('boom', details);
  const plain = new ResourcesError('boom');

  // Catalog helpers.
  const check: RunOptionsValidation = validateRunOptions(resources, 'gpt-image-1', { quality: 'high', size: 8 });
  const ok: boolean = check.ok;
  validateRunOptions(resources, 'gpt-image-1', imageOptions);
  validateRunOptions(resources, 'gpt-image-1');
  validateRunOptions(resources, 'gpt-image-1', null);
  for (const err of check.errors) {
    const e: RunOptionError = err;
    const parts: [string | null, unknown, RunOptionErrorCode, string, string[] | undefined, string | undefined] =
      [e.key, e.value, e.code, e.message, e.allowed, e.suggestion];
    void parts;
  }
  const found: Model | undefined = findModel(resources, 'o3');
  const images: Model[] = modelsByModality(resources, 'image');
  const other: Model[] = modelsByModality(resources, 'audio');
  const keys: { key: string; models: string[] }[] = runOptionKeys(resources);
  const diff: ResourcesDiff = diffResources(cached?.resources ?? null, resources);
  diffResources(undefined, resources);
  const added: string[] = diff.added;
  const removed: string[] = diff.removed;
  for (const c of diff.changed) {
    const pair: [string, string] | undefined = c.modality;
    const optionChanges: { key: string; added: string[]; removed: string[] }[] = c.options.changed;
    void [c.model, pair, c.options.added, c.options.removed, optionChanges];
  }

  // A body fetched by the application itself.
  const body: ResourcesBody = '{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[]}}}';
  const parseOptions: ParseOptions = { strict: true, maxBytes: 1024 };
  const parsed: ParsedResources = parseResources(body, parseOptions);
  parseResources(new TextEncoder().encode(body));
  parseResources(new ArrayBuffer(0), { strict: undefined });
  const parsedParts: [string, Resources, string[]] = [parsed.hash, parsed.resources, parsed.warnings];

  void [fromEnv, noSignal, withLog, asRecord, asMap, mapClient, like, parsedParts];
  void [hash, source, changed, previous, fetchedAt, stale, warnings, extra, cached, currentHash, isStale,
    headers, asked, once, made, plain, ok, found, images, other, keys, added, removed];
}
