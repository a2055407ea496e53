// The Web Lock that lets one tab refresh a record is waited for at most
// `timeoutMs`: after that the tab refreshes without it (browsers only: Node 20
// has no navigator.locks).
import { ok, equal, rejects } from './assert.mjs';
import { recordingStorage, within } from './helpers.mjs';

const lockName = (client) => `resources-client:refresh:${client.storageKey}`;

export const tests = [
  {
    name: 'a lock held by another script holds back a refresh only timeoutMs, then it goes without the lock',
    only: 'browser',
    async run({ lib, options, control }) {
      await control.reset();
      await control.clearLog();
      const client = new lib.ResourcesClient(options({ timeoutMs: 400 }));
      // A record's first catalog goes out without the lock: store one, so that
      // the refresh below is one that takes turns.
      await client.fetchResources();
      await control.clearLog();
      let release;
      const held = new Promise((r) => { release = r; });
      await new Promise((granted) => {
        navigator.locks.request(lockName(client), () => { granted(); return held; });
      });
      try {
        const started = Date.now();
        const r = await within(client.fetchResources({ refresh: true }), 'a refresh behind a held lock', 5000);
        equal(r.source, 'network');
        ok(Date.now() - started >= 350, `it waited for the lock first (${Date.now() - started} ms)`);
        equal((await control.resourceRequests()).length, 1);
      } finally {
        release();
      }
      // The withdrawn request left nothing behind: the lock is free again.
      const state = await navigator.locks.query();
      ok(!state.pending.some((l) => l.name === lockName(client)), 'no lock request left pending');
    },
  },
  {
    name: 'a tab whose request hangs (timeoutMs: 0) holds back another tab\'s refresh only that tab\'s timeoutMs',
    only: 'browser',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options();
      // Two "tabs": clients of one record over different storage objects (no
      // shared request between them, one lock name).
      const hung = new lib.ResourcesClient({ ...opts, storage: recordingStorage(), timeoutMs: 0 });
      const other = new lib.ResourcesClient({ ...opts, storage: recordingStorage(), timeoutMs: 400 });
      equal(hung.storageKey, other.storageKey);
      // Both have a stored catalog, so their refreshes take turns through the lock.
      await hung.fetchResources();
      await other.fetchResources();
      await control.faults({ kind: 'hang' });
      const stop = new AbortController();
      const first = hung.fetchResources({ refresh: true, signal: stop.signal });
      await new Promise((r) => setTimeout(r, 100));
      try {
        const started = Date.now();
        const r = await within(other.fetchResources({ refresh: true }), 'the second tab\'s refresh', 5000);
        equal(r.source, 'network');
        ok(Date.now() - started >= 350, `it waited for the lock first (${Date.now() - started} ms)`);
      } finally {
        stop.abort();
        equal((await rejects(first)).code, 'ABORTED');
      }
    },
  },
];
