// Stores whose methods answer with promises (IndexedDB, a file, Workers KV):
// the client reads its record once at start (hydration), holds it and writes
// through. Until the read is done cached() is null; fetchResources() waits for
// it, so maxAgeMs and the cli-agent hash hold on the first call; subscribers
// hear the stored record as a change; a failing store moves the client to
// memory with a warning; a corrupt record is never served.
import { ok, equal } from './assert.mjs';
import { waitFor, within } from './helpers.mjs';
import { reseal } from './records.mjs';

const isSaltKey = (k) => String(k).endsWith(':salt');

/** A StorageLike over a Map whose every method answers with a promise after `delayMs`, as Workers KV does. */
function asyncStorage({ delayMs = 5, fails = false } = {}) {
  const map = new Map();
  const calls = [];
  const later = (work) => new Promise((resolve, reject) => {
    setTimeout(() => {
      try {
        if (fails) throw new Error('KV namespace unavailable');
        resolve(work());
      } catch (e) {
        reject(e);
      }
    }, delayMs);
  });
  return {
    map,
    calls,
    /** The records (the salt kept beside them left out). */
    records: () => [...map.entries()].filter(([k]) => !isSaltKey(k)),
    getItem(k) {
      calls.push(['getItem', k]);
      return later(() => (map.has(k) ? map.get(k) : null));
    },
    setItem(k, v) {
      calls.push(['setItem', k]);
      return later(() => void map.set(k, String(v)));
    },
    removeItem(k) {
      calls.push(['removeItem', k]);
      return later(() => void map.delete(k));
    },
  };
}

/** Fetches once through a client of `opts` and waits until its record is written: [key, text, result]. */
async function stored(lib, opts, storage) {
  const writer = new lib.ResourcesClient(opts);
  const result = await writer.fetchResources();
  const [[key, text]] = await waitFor(() => (storage.records().length > 0 ? storage.records() : null), 'the write');
  equal(writer.storageKey, key, 'the key the client reports once ready');
  writer.free();
  return [key, text, result];
}

export const tests = [
  {
    name: 'an asynchronous store answers the second request from cache under maxAgeMs, for a client that never met the writer',
    async run({ lib, options, control }) {
      await control.reset();
      const storage = asyncStorage();
      const opts = options({ storage, maxAgeMs: 600_000 });
      const [, , first] = await stored(lib, opts, storage);
      equal(first.source, 'network');
      await control.clearLog();
      // A new client (the writer is gone: a new worker, a new process) reads the store first.
      const reader = new lib.ResourcesClient(opts);
      equal(reader.cached(), null, 'nothing before the store answered');
      equal(reader.getSnapshot().data, null);
      const second = await within(reader.fetchResources(), 'fetchResources');
      equal(second.source, 'cache', 'served from the stored record');
      equal(second.hash, first.hash);
      equal((await control.resourceRequests()).length, 0, 'no request');
      equal(reader.cached().hash, first.hash);
      equal(reader.hash, first.hash);
    },
  },
  {
    name: 'ready() resolves once the record is read; subscribers hear the stored record as a change',
    async run({ lib, options, control }) {
      await control.reset();
      const storage = asyncStorage({ delayMs: 20 });
      const opts = options({ storage });
      const [key, , first] = await stored(lib, opts, storage);
      const reader = new lib.ResourcesClient(opts);
      const heard = [];
      reader.onChange((r) => heard.push([r.hash, r.source, r.changed]));
      let notified = 0;
      const stop = reader.subscribe(() => { notified += 1; }, { fetch: false });
      equal(reader.cached(), null);
      equal(reader.storageKey, '', 'the salted key is known once the store gave its salt');
      await within(reader.ready(), 'ready()');
      equal(reader.storageKey, key);
      equal(reader.cached().hash, first.hash, 'cached() after ready()');
      equal(heard.length, 1, 'one change heard');
      equal(heard[0][0], first.hash);
      equal(heard[0][1], 'cache');
      ok(notified >= 1, 'the store interface heard it');
      equal(reader.getSnapshot().data.hash, first.hash);
      await within(reader.ready(), 'a second ready()');
      stop();
    },
  },
  {
    name: 'the first request of a client on an asynchronous store sends the stored hash (cli-agent)',
    async run({ lib, options, control }) {
      await control.reset();
      const storage = asyncStorage();
      const opts = options({ storage });
      const [, , first] = await stored(lib, opts, storage);
      await control.clearLog();
      const result = await new lib.ResourcesClient(opts).fetchResources();
      const [sent] = await control.resourceRequests();
      equal(sent.headers['cli-agent'], `resources_hash=${first.hash}`);
      equal(result.changed, false, 'the same catalog');
      equal(result.previousHash, first.hash);
    },
  },
  {
    name: 'a rejecting asynchronous store moves the client to memory with a warning; calls succeed',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options({ storage: asyncStorage({ fails: true }) });
      const client = new lib.ResourcesClient(opts);
      const result = await within(client.fetchResources(), 'fetchResources');
      equal(result.source, 'network');
      ok(result.warnings.some((w) => w.startsWith('storage unavailable, kept in memory: ') && w.includes('KV namespace unavailable')),
        result.warnings.join('\n'));
      equal(client.cached().hash, result.hash, 'kept in memory');
      await within(client.ready(), 'ready()');
    },
  },
  {
    name: 'a corrupt, partial or foreign record in an asynchronous store is ignored, never served',
    async run({ lib, options, control }) {
      await control.reset();
      const storage = asyncStorage();
      const opts = options({ storage, maxAgeMs: 600_000 });
      const [key, text, first] = await stored(lib, opts, storage);
      const bad = [
        '{not json',
        text.slice(0, text.length - 40),
        reseal(text, (m) => ({ ...m, v: 99 })),
        reseal(text, (m) => ({ ...m, scope: 'key-00000000000000000000000000000000' })),
        text.replace(/"scope":"[^"]*"/, '"scope":"key-00000000000000000000000000000000"'),
        text.replace('"SUCCESS"', '"SUCCES5"'),
      ];
      for (const value of bad) {
        storage.map.set(key, value);
        await control.clearLog();
        const reader = new lib.ResourcesClient(opts);
        await within(reader.ready(), 'ready()');
        equal(reader.cached(), null, `served: ${value.slice(0, 60)}`);
        const result = await reader.fetchResources();
        equal(result.source, 'network');
        equal(result.hash, first.hash);
        equal((await control.resourceRequests()).length, 1);
        // The genuine record replaces it.
        await waitFor(() => storage.map.get(key) !== value, 'the rewrite');
        reader.free();
      }
    },
  },
  {
    name: "storage: 'indexeddb' where the runtime has no IndexedDB: memory, with a warning; calls succeed",
    only: 'node',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options({ storage: 'indexeddb' }));
      const result = await within(client.fetchResources(), 'fetchResources');
      equal(result.source, 'network');
      ok(result.warnings.some((w) => w.startsWith('storage unavailable, kept in memory: ') && w.includes('IndexedDB is not available')),
        result.warnings.join('\n'));
      equal(client.cached().hash, result.hash);
    },
  },
];
