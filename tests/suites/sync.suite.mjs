// Every client of one stored record hears every change (same page, same
// process, other realms); the store interface (subscribe/getSnapshot); and
// background failures reaching onError.
import { ok, equal, deepEqual } from './assert.mjs';
import { responseWith, waitFor } from './helpers.mjs';

/** Counts the calls a listener gets, keeping the arguments. */
function recorder() {
  const calls = [];
  const listener = (...args) => calls.push(args);
  return { calls, listener };
}

export const tests = [
  {
    name: 'two clients of one record in one page/process: a refresh by one reaches the other once',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options();
      const a = new lib.ResourcesClient(opts);
      const b = new lib.ResourcesClient(opts);
      const heard = recorder();
      const offB = b.onChange(heard.listener);
      const ownA = recorder();
      a.onChange(ownA.listener);
      const first = await a.fetchResources();
      equal(heard.calls.length, 1, 'b heard the refresh once');
      equal(heard.calls[0][0].hash, first.hash);
      equal(heard.calls[0][0].changed, true);
      equal(ownA.calls.length, 1, 'a heard its own refresh once');
      // The same catalog again: nobody is called.
      await a.fetchResources({ refresh: true });
      equal(heard.calls.length, 1);
      equal(ownA.calls.length, 1);
      // A new catalog fetched by b reaches a.
      const state = await control.state();
      const models = state.resources.models.slice(1);
      await control.catalog({ resources: { ...state.resources, models } });
      await b.fetchResources({ refresh: true });
      equal(ownA.calls.length, 2, 'a heard b');
      equal(heard.calls.length, 2, 'b heard itself once, not an echo');
      equal(a.cached().resources.models.length, models.length);
      offB();
      equal((await control.resourceRequests()).length, 3, 'no extra requests');
    },
  },
  {
    name: 'a fresh record stored by a peer answers its pending action-require',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options();
      const a = new lib.ResourcesClient(opts);
      const b = new lib.ResourcesClient(opts);
      await a.fetchResources();
      equal(a.observe(responseWith(200, { 'action-require': 'update-resources' })), true);
      await waitFor(() => !a.stale, 'the background refresh');
      equal(b.stale, false);
    },
  },
  {
    name: 'getSnapshot(): one frozen object until its data, error or isFetching change; subscribe() hears a peer\'s change, and nothing for an unchanged one',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options();
      const client = new lib.ResourcesClient(opts);
      const peer = new lib.ResourcesClient(opts);
      const empty = client.getSnapshot();
      deepEqual([empty.data, empty.error, empty.isFetching, empty.isPending], [null, null, false, true]);
      ok(client.getSnapshot() === empty && Object.isFrozen(empty), 'the same frozen object');
      const sub = recorder();
      const off = client.subscribe(sub.listener, { fetch: false });
      equal((await control.resourceRequests()).length, 0, 'fetch: false starts nothing');
      const first = await peer.fetchResources();
      equal(sub.calls.length, 1);
      equal(sub.calls[0].length, 0, 'called without arguments');
      const snap = client.getSnapshot();
      equal(snap.data.hash, first.hash);
      ok(client.getSnapshot() === snap, 'the very same object');
      await peer.fetchResources({ refresh: true });
      ok(client.getSnapshot() === snap, 'unchanged catalog, same object');
      equal(sub.calls.length, 1);
      const state = await control.state();
      await control.catalog({ resources: { ...state.resources, models: state.resources.models.slice(2) } });
      await client.fetchResources({ refresh: true });
      ok(sub.calls.length >= 2, `the change was heard (${sub.calls.length} calls)`);
      const next = client.getSnapshot();
      ok(next !== snap && next.data.hash !== snap.data.hash);
      equal(next.data.resources.models.length, state.resources.models.length - 2);
      deepEqual([next.data.source, next.data.changed, next.isFetching, next.error], ['network', true, false, null], 'what the call said');
      off();
      const heard = sub.calls.length;
      await control.catalog({ resources: state.resources });
      await client.fetchResources({ refresh: true });
      equal(sub.calls.length, heard, 'unsubscribed');
      client.clear();
      await peer.fetchResources({ refresh: true });
      equal(client.getSnapshot().data.hash, (await control.state()).hash);
    },
  },
  {
    name: 'the snapshot after a network fetch says so, and its catalog is frozen: one subscriber cannot change what another sees',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options());
      client.getSnapshot();
      const result = await client.fetchResources();
      const snap = client.getSnapshot();
      deepEqual([snap.data.source, snap.data.changed, snap.data.previousHash], ['network', true, null], 'as the call said');
      equal(snap.data.hash, result.hash);
      ok(Object.isFrozen(snap.data) && Object.isFrozen(snap.data.resources.models) && Object.isFrozen(snap.data.resources.models[0].availableRunOptions));
      let threw = null;
      try {
        snap.data.resources.models.push({ model: 'x', modality: 'text', availableRunOptions: [] });
      } catch (e) {
        threw = e;
      }
      ok(threw instanceof TypeError, `a push into the snapshot throws (${threw})`);
      equal(client.getSnapshot().data.resources.models.length, result.resources.models.length);
      result.resources.models.push({ model: 'mine', modality: 'text', availableRunOptions: [] });
      equal(client.getSnapshot().data.resources.models.length, result.resources.models.length - 1, 'the caller\'s own result is its own');
    },
  },
  {
    name: 'the snapshot\'s error: a failed call sets it, a later success clears it; an abort is not an error',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options({ retries: 0 }));
      const sub = recorder();
      client.subscribe(sub.listener, { fetch: false });
      await control.faults({ status: 503 });
      await client.fetchResources().catch(() => {});
      const failed = client.getSnapshot();
      ok(failed.error instanceof lib.ResourcesError, String(failed.error));
      deepEqual([failed.error.status, failed.data, failed.isPending, failed.isFetching], [503, null, false, false]);
      const controller = new AbortController();
      const aborted = client.fetchResources({ signal: controller.signal });
      controller.abort();
      await aborted.catch(() => {});
      equal(client.getSnapshot().error.status, 503, 'the abort left the last failure as it was');
      await client.fetchResources();
      const ok2 = client.getSnapshot();
      deepEqual([ok2.error, ok2.isPending, ok2.isFetching], [null, false, false]);
      ok(ok2.data !== null);
    },
  },
  {
    name: 'the first subscriber starts one fetch (also when it leaves and comes back at once, as React\'s StrictMode does); a fresh stored catalog answers with no request and no change',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options({ maxAgeMs: 60000 });
      const client = new lib.ResourcesClient(opts);
      const sub = recorder();
      const off1 = client.subscribe(sub.listener);
      off1();
      const off2 = client.subscribe(sub.listener);
      await waitFor(() => client.getSnapshot().data !== null, 'the first catalog');
      await waitFor(() => !client.getSnapshot().isFetching, 'the end of the request');
      equal((await control.resourceRequests()).length, 1, 'one request');
      off2();
      // A new client of the same record, within maxAgeMs: the stored catalog is
      // the snapshot at once, and the fetch its first subscriber starts changes nothing.
      const next = new lib.ResourcesClient(opts);
      const before = next.getSnapshot();
      deepEqual([before.data?.source, before.isPending], ['cache', false]);
      const quiet = recorder();
      const off3 = next.subscribe(quiet.listener);
      await new Promise((r) => setTimeout(r, 50));
      equal(quiet.calls.length, 0, 'no re-render');
      ok(next.getSnapshot() === before, 'the same snapshot');
      equal((await control.resourceRequests()).length, 1, 'no request');
      off3();
    },
  },
  {
    name: 'a background refresh (observe) shows isFetching, and its failure reaches the snapshot\'s error',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options({ retries: 0 }));
      await client.fetchResources();
      const sub = recorder();
      client.subscribe(sub.listener, { fetch: false });
      await control.faults({ status: 503 });
      equal(client.observe(responseWith(200, { 'action-require': 'update-resources' })), true);
      equal(client.getSnapshot().isFetching, true, 'a request is on the network');
      await waitFor(() => client.getSnapshot().error !== null, 'the failure');
      const snap = client.getSnapshot();
      deepEqual([snap.error.status, snap.isFetching], [503, false]);
      ok(snap.data !== null, 'the stored catalog stays');
    },
  },
  {
    name: 'a failed background refresh reaches onError with a ResourcesError',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options());
      await client.fetchResources();
      const errors = recorder();
      const off = client.onError(errors.listener);
      await control.faults({ status: 503 });
      equal(client.observe(responseWith(200, { 'action-require': 'update-resources' })), true);
      await waitFor(() => errors.calls.length > 0, 'onError');
      const [error] = errors.calls[0];
      ok(error instanceof lib.ResourcesError, String(error));
      equal(error.status, 503);
      equal(client.stale, true, 'still due');
      off();
      // A foreground failure is the caller's rejection, not an onError call.
      await control.faults({ status: 503 });
      const again = recorder();
      client.onError(again.listener);
      await client.fetchResources({ refresh: true }).catch(() => {});
      equal(again.calls.length, 0);
    },
  },
  {
    name: 'one refresh per record: two clients that both observe action-require make one request between them',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options();
      const a = new lib.ResourcesClient(opts);
      const b = new lib.ResourcesClient(opts);
      await a.fetchResources();
      const state = await control.state();
      await control.catalog({ resources: { ...state.resources, models: state.resources.models.slice(1) } });
      await control.clearLog();
      // The request stays under way while the second client observes.
      await control.faults({ delayMs: 200 });
      const heardA = recorder();
      const heardB = recorder();
      a.onChange(heardA.listener);
      b.onChange(heardB.listener);
      const update = { 'action-require': 'update-resources' };
      equal(a.observe(responseWith(200, update)), true);
      equal(b.observe(responseWith(200, update)), true);
      await waitFor(() => !a.stale && !b.stale, 'both refreshed');
      equal((await control.resourceRequests()).length, 1, 'one catalog request for both');
      equal(heardA.calls.length, 1);
      equal(heardB.calls.length, 1);
      equal(a.hash, b.hash);
      equal(b.cached().resources.models.length, state.resources.models.length - 1);
    },
  },
  {
    name: 'one refresh per record: concurrent refreshes of two clients share a request; a caller giving up does not cancel the other',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options();
      const a = new lib.ResourcesClient(opts);
      const b = new lib.ResourcesClient(opts);
      const other = new lib.ResourcesClient({ ...opts, storageKey: `${opts.storageKey}-other` });
      await control.faults({ delayMs: 200 });
      const [ra, rb, ro] = await Promise.all([
        a.fetchResources({ refresh: true }),
        b.fetchResources({ refresh: true }),
        other.fetchResources({ refresh: true }),
      ]);
      equal((await control.resourceRequests()).length, 2, 'one request for a and b, one for the other record');
      equal(ra.hash, rb.hash);
      equal(ro.hash, ra.hash);
      await control.clearLog();
      await control.faults({ delayMs: 200 });
      const quit = new AbortController();
      const pa = a.fetchResources({ refresh: true, signal: quit.signal }).catch((e) => e);
      const pb = b.fetchResources({ refresh: true });
      quit.abort();
      equal((await pa).code, 'ABORTED');
      const r = await pb;
      equal(r.source, 'network', 'b still got the shared request\'s answer');
      equal((await control.resourceRequests()).length, 1);
    },
  },
  {
    name: 'one refresh per record: a failed shared background refresh reaches the onError of each client that observed',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options();
      const a = new lib.ResourcesClient(opts);
      const b = new lib.ResourcesClient(opts);
      await a.fetchResources();
      const errorsA = recorder();
      const errorsB = recorder();
      a.onError(errorsA.listener);
      b.onError(errorsB.listener);
      await control.clearLog();
      await control.faults({ status: 503, delayMs: 100 });
      const update = { 'action-require': 'update-resources' };
      a.observe(responseWith(200, update));
      b.observe(responseWith(200, update));
      await waitFor(() => errorsA.calls.length > 0 && errorsB.calls.length > 0, 'onError of both');
      equal(errorsA.calls.length, 1);
      equal(errorsB.calls.length, 1);
      equal(errorsA.calls[0][0].status, 503);
      equal((await control.resourceRequests()).length, 1);
    },
  },
  {
    name: 'onError and subscribe refuse a non-function at once',
    async run({ lib, options }) {
      const client = new lib.ResourcesClient(options());
      for (const method of ['onError', 'subscribe']) {
        let thrown;
        try { client[method](42); } catch (e) { thrown = e; }
        equal(thrown?.code, 'INVALID_OPTIONS', method);
      }
    },
  },
  {
    name: 'a record stored in a worker reaches the page\'s clients of the memory store (BroadcastChannel)',
    only: 'browser',
    async run({ lib, options, control }) {
      await control.reset();
      // A worker has no localStorage: its store is memory, which has no salt.
      // A page client of a keyed scope shares its records only from memory too
      // (localStorage has a salt of its own, so its scope differs).
      const opts = options({ storage: 'memory' });
      const client = new lib.ResourcesClient(opts);
      const heard = recorder();
      client.onChange(heard.listener);
      const source = `import { ResourcesClient } from ${JSON.stringify(new URL('/pkg/index.js', location.href).href)};
        onmessage = async (e) => { const r = await new ResourcesClient(e.data).fetchResources(); postMessage(r.hash); };
        postMessage('ready');`;
      const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), { type: 'module' });
      try {
        const hash = await new Promise((resolve, reject) => {
          // Options go once the worker listens.
          worker.onmessage = (e) => (e.data === 'ready' ? worker.postMessage(opts) : resolve(e.data));
          worker.onerror = (e) => reject(new Error(e.message));
        });
        await waitFor(() => heard.calls.length > 0, 'the worker\'s record');
        equal(heard.calls.length, 1);
        equal(heard.calls[0][0].hash, hash);
        equal(client.cached().hash, hash, 'kept in the page\'s memory store');
        equal((await control.resourceRequests()).length, 1);
      } finally {
        worker.terminate();
      }
    },
  },
  {
    name: 'a record stored in a worker thread reaches the main thread\'s clients (BroadcastChannel)',
    only: 'node',
    async run({ lib, options, control }) {
      const { Worker } = await import('node:worker_threads');
      await control.reset();
      // The memory store in both threads (Deno's main thread has a localStorage, its workers not).
      const opts = options({ storage: 'memory' });
      const client = new lib.ResourcesClient(opts);
      const heard = recorder();
      client.onChange(heard.listener);
      const pkg = new URL('../../pkg/index.cjs', import.meta.url);
      const source = `const { parentPort, workerData } = require('node:worker_threads');
        const { ResourcesClient } = require(${JSON.stringify(pkg.pathname)});
        new ResourcesClient(workerData).fetchResources().then((r) => parentPort.postMessage(r.hash));`;
      const worker = new Worker(source, { eval: true, workerData: opts });
      try {
        const hash = await new Promise((resolve, reject) => {
          worker.on('message', resolve);
          worker.on('error', reject);
        });
        await waitFor(() => heard.calls.length > 0, 'the worker\'s record');
        equal(heard.calls.length, 1);
        equal(heard.calls[0][0].hash, hash);
        equal(client.cached().hash, hash, 'kept in this thread\'s memory store');
        equal((await control.resourceRequests()).length, 1);
      } finally {
        await worker.terminate();
      }
    },
  },
];
