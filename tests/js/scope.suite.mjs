// Records scoped by API key: a client never gets a catalog fetched with
// another key, neither from the cache nor from cached().
import { ok, equal, rejects } from './assert.mjs';
import { recordingStorage } from './helpers.mjs';

/** `key-` and the first 32 hex digits of SHA-256("resources-client:api-key:" + key), by WebCrypto. */
async function expectedScope(key) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`resources-client:api-key:${key}`));
  return `key-${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('').slice(0, 32)}`;
}

export const tests = [
  {
    name: 'a wrong key with the same baseUrl gets no cached catalog: a request is made and it fails',
    async run({ lib, options, control, apiKey }) {
      await control.reset();
      const shared = options({ maxAgeMs: 60000 });
      const a = new lib.ResourcesClient(shared);
      const first = await a.fetchResources();
      equal(first.source, 'network');
      const b = new lib.ResourcesClient({ ...shared, apiKey: 'sk-wrong' });
      equal(b.cached(), null, 'cached() of another key');
      equal(b.getSnapshot().data, null, 'getSnapshot() of another key');
      equal(b.hash, null);
      const error = await rejects(b.fetchResources());
      equal(error.code, 'UNAUTHORIZED_ERROR');
      equal((await control.resourceRequests()).length, 2, 'the wrong key went to the server');
      equal(new lib.ResourcesClient({ ...shared, apiKey: 'sk-wrong' }).cached(), null);
      // The right key still has its catalog.
      equal(new lib.ResourcesClient({ ...shared, apiKey }).cached().hash, first.hash);
    },
  },
  {
    name: 'a user switching keys in one page sees only their own catalog',
    async run({ lib, options, control, apiKey }) {
      await control.reset();
      const opts = options({ maxAgeMs: 60000 });
      const first = await new lib.ResourcesClient(opts).fetchResources();
      // Sign out, another user signs in.
      const other = new lib.ResourcesClient({ ...opts, apiKey: 'sk-someone-else' });
      equal(other.cached(), null);
      await rejects(other.fetchResources());
      equal(other.cached(), null, 'a failed fetch leaves nothing of the first user');
      // Without a key (a proxy adds it): its own scope, shared by keyless clients.
      const { apiKey: _, ...keyless } = opts;
      const proxied = new lib.ResourcesClient({ ...keyless, headers: { authorization: `Bearer ${apiKey}` } });
      equal(proxied.cached(), null, 'keyless clients do not read a keyed record');
      await proxied.fetchResources();
      equal(new lib.ResourcesClient(keyless).cached().hash, first.hash, 'keyless clients share one scope');
      // The first user signs in again: the catalog is theirs, served from cache.
      const back = new lib.ResourcesClient(opts);
      equal((await back.fetchResources()).source, 'cache');
      equal((await control.resourceRequests()).length, 3);
    },
  },
  {
    name: 'the storage key and the record carry a SHA-256 fingerprint of the key, never the key',
    async run({ lib, options, control, apiKey }) {
      await control.reset();
      const storage = recordingStorage();
      const opts = options({ storage });
      const client = new lib.ResourcesClient(opts);
      const scope = await expectedScope(apiKey);
      equal(client.storageKey, `${opts.storageKey}:${scope}:${opts.baseUrl}`);
      equal(new lib.ResourcesClient({ ...opts, apiKey: undefined }).storageKey, `${opts.storageKey}:nokey:${opts.baseUrl}`);
      await client.fetchResources();
      const text = storage.map.get(client.storageKey);
      ok(text.startsWith(`{"v":2,"baseUrl":${JSON.stringify(opts.baseUrl)},"scope":"${scope}",`), text.slice(0, 120));
      for (const call of storage.calls) ok(!JSON.stringify(call).includes(apiKey), 'the key is never stored');
    },
  },
  {
    name: 'a record copied under another key, or in the previous layout, is refused',
    async run({ lib, options, control }) {
      await control.reset();
      const storage = recordingStorage();
      const opts = options({ storage });
      const a = new lib.ResourcesClient(opts);
      await a.fetchResources();
      const text = storage.map.get(a.storageKey);
      const b = new lib.ResourcesClient({ ...opts, apiKey: 'sk-b' });
      storage.map.set(b.storageKey, text);
      equal(b.cached(), null, 'a record of another scope under this key');
      // The previous layout: `<prefix>:<baseUrl>`, no scope in the record.
      const old = text.replace(/"scope":"[^"]*",/, '');
      storage.map.clear();
      storage.map.set(`${opts.storageKey}:${opts.baseUrl}`, old);
      storage.map.set(a.storageKey, old);
      const fresh = new lib.ResourcesClient(opts);
      equal(fresh.cached(), null, 'a record without scope');
      equal((await fresh.fetchResources()).source, 'network');
    },
  },
];
