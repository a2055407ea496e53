// Records scoped by every credential: a client never gets a catalog fetched
// with another key, credential header or fetch function, neither from the
// cache nor from cached(), and never shares a request with such a client.
import { ok, equal, deepEqual, rejects, throws } from './assert.mjs';

const notEqual = (a, b, m) => ok(a !== b, m ?? `expected a difference, both are ${a}`);
import { recordingStorage } from './helpers.mjs';

/** `key-` and the first 32 hex digits of SHA-256("resources-client:scope:" + salt + "\0key=" + key), by WebCrypto. */
async function expectedScope(key, salt) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`resources-client:scope:${salt}\0key=${key}`));
  return `key-${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('').slice(0, 32)}`;
}

/** A fetch of its own: another function object, hence another identity. */
const ownFetch = () => (request) => fetch(request);

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
      // Without a key (a proxy adds it): one scope shared by keyless clients;
      // a client sending its own credential header has a scope of its own.
      const { apiKey: _, ...keyless } = opts;
      const proxied = new lib.ResourcesClient({ ...keyless, headers: { authorization: `Bearer ${apiKey}` } });
      equal(proxied.cached(), null, 'keyless clients do not read a keyed record');
      await proxied.fetchResources();
      equal(new lib.ResourcesClient(keyless).cached(), null, 'a credential header is a scope of its own');
      equal(new lib.ResourcesClient({ ...keyless, headers: { Authorization: `Bearer ${apiKey}` } }).cached().hash, first.hash);
      // The first user signs in again: the catalog is theirs, served from cache.
      const back = new lib.ResourcesClient(opts);
      equal((await back.fetchResources()).source, 'cache');
      equal((await control.resourceRequests()).length, 3);
    },
  },
  {
    name: 'the storage key and the record carry a salted SHA-256 fingerprint of the key, never the key',
    async run({ lib, options, control, apiKey }) {
      await control.reset();
      const storage = recordingStorage({ keepsSalt: true });
      const opts = options({ storage });
      const client = new lib.ResourcesClient(opts);
      const salt = storage.salts.get(`${opts.storageKey}:salt`);
      ok(/^[0-9a-f]{32}$/.test(salt), `a random salt beside the records: ${salt}`);
      const scope = await expectedScope(apiKey, salt);
      equal(client.storageKey, `${opts.storageKey}:${scope}:${opts.baseUrl}`);
      equal(new lib.ResourcesClient({ ...opts, apiKey: undefined }).storageKey, `${opts.storageKey}:nokey:${opts.baseUrl}`);
      await client.fetchResources();
      const text = storage.map.get(client.storageKey);
      const record = JSON.parse(text);
      deepEqual([record.v, record.baseUrl, record.scope], [3, opts.baseUrl, scope], 'the record carries its scope');
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
  {
    name: 'two clients with different authorization headers never see each other\'s catalog or share a request',
    async run({ lib, options, control, apiKey }) {
      await control.reset();
      const { apiKey: _, ...keyless } = options({ maxAgeMs: 60000 });
      const a = new lib.ResourcesClient({ ...keyless, headers: { authorization: `Bearer ${apiKey}` } });
      const b = new lib.ResourcesClient({ ...keyless, headers: { authorization: 'Bearer sk-user-b-000000' } });
      notEqual(a.storageKey, b.storageKey);
      await control.clearLog();
      // Together: two requests, each with its own credential.
      const [ra, rb] = await Promise.allSettled([a.fetchResources(), b.fetchResources()]);
      equal(ra.status, 'fulfilled');
      equal(rb.status, 'rejected');
      equal(rb.reason.code, 'UNAUTHORIZED_ERROR');
      equal((await control.resourceRequests()).length, 2, 'no shared request');
      // B sees nothing of A's catalog: not from the cache, not as a stale fallback.
      equal(b.cached(), null);
      equal(b.getSnapshot().data, null);
      equal(b.hash, null);
      await control.faults({ status: 503 });
      const again = await rejects(b.fetchResources({ refresh: true }));
      equal(again.status, 503, 'a failure, not A\'s catalog served stale');
      equal(a.cached().hash, ra.value.hash);
      await control.reset();
    },
  },
  {
    name: 'a credential header beside the same key (x-api-key, cookie) is part of the scope',
    run({ lib, options }) {
      const opts = options({ storage: 'memory' });
      const keys = [
        new lib.ResourcesClient(opts).storageKey,
        new lib.ResourcesClient({ ...opts, headers: { 'x-api-key': 'xk-tenant-1' } }).storageKey,
        new lib.ResourcesClient({ ...opts, headers: { 'x-api-key': 'xk-tenant-2' } }).storageKey,
        new lib.ResourcesClient({ ...opts, headers: { cookie: 'session=s1' } }).storageKey,
      ];
      equal(new Set(keys).size, keys.length, keys.join('\n'));
      // Other headers are not credentials and do not split the cache.
      equal(new lib.ResourcesClient({ ...opts, headers: { 'x-trace': 't' } }).storageKey, keys[0]);
    },
  },
  {
    name: 'clients with different fetch functions share no record or request, unless they name one scope',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options({ maxAgeMs: 60000 });
      const first = ownFetch();
      const a = new lib.ResourcesClient({ ...opts, fetch: first });
      const b = new lib.ResourcesClient({ ...opts, fetch: ownFetch() });
      equal(new lib.ResourcesClient({ ...opts, fetch: first }).storageKey, a.storageKey, 'the same function, the same scope');
      notEqual(a.storageKey, b.storageKey);
      notEqual(a.storageKey, new lib.ResourcesClient(opts).storageKey);
      await control.clearLog();
      await Promise.all([a.fetchResources(), b.fetchResources()]);
      equal((await control.resourceRequests()).length, 2, 'no shared request');
      const c = new lib.ResourcesClient({ ...opts, fetch: ownFetch() });
      equal(c.cached(), null, 'no record of another fetch');
      // A scope named by the caller says they may share.
      const shared = { ...opts, scope: 'tenant-42' };
      const d = new lib.ResourcesClient({ ...shared, fetch: ownFetch() });
      const r = await d.fetchResources();
      const e = new lib.ResourcesClient({ ...shared, fetch: ownFetch() });
      equal(e.storageKey, d.storageKey);
      equal(e.cached().hash, r.hash);
      const bad = throws(() => new lib.ResourcesClient({ ...opts, scope: '' }));
      equal(bad.code, 'INVALID_OPTIONS');
    },
  },
  {
    name: 'one key gets another scope in each storage (a salt per storage)',
    run({ lib, options }) {
      const opts = options();
      const one = recordingStorage({ keepsSalt: true });
      const two = recordingStorage({ keepsSalt: true });
      const a = new lib.ResourcesClient({ ...opts, storage: one });
      const b = new lib.ResourcesClient({ ...opts, storage: two });
      notEqual(a.storageKey, b.storageKey);
      notEqual(one.salts.get(`${opts.storageKey}:salt`), two.salts.get(`${opts.storageKey}:salt`));
      // The salt is kept: a later client of the same storage has the same scope.
      equal(new lib.ResourcesClient({ ...opts, storage: one }).storageKey, a.storageKey);
    },
  },
  {
    name: 'clients whose headers differ never share a request, even within one record',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options();
      const heard = { a: 0, b: 0, c: 0 };
      const client = (name, org) => new lib.ResourcesClient({ ...opts, headers: { 'x-org-id': org }, onAttempt: () => { heard[name] += 1; } });
      const a = client('a', 'org-a');
      const b = client('b', 'org-b');
      const c = client('c', 'org-a');
      await control.clearLog();
      await Promise.all([a.fetchResources(), b.fetchResources(), c.fetchResources()]);
      const sent = (await control.resourceRequests()).map((r) => r.headers['x-org-id']);
      // a and c share one request; b never joins it. (In a browser b may wait
      // for the refresh lock and then take the record a stored, with no
      // request: the record is shared, its scope having no credential of b's own.)
      equal(sent.filter((o) => o === 'org-a').length, 1, `requests: ${sent}`);
      equal(heard.a, 1);
      equal(heard.c, 1, 'c was told of the request it shares');
      equal(heard.b, sent.filter((o) => o === 'org-b').length, 'b hears only of requests made with its own headers');
    },
  },
];
