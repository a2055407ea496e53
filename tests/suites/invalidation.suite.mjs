// Invalidation and sharing: single-flight requests, per-caller aborts,
// observe() of action-require, onChange (in this page and across tabs).
import { ok, equal, deepEqual, rejects } from './assert.mjs';
import { responseWith, waitFor, within } from './helpers.mjs';

/** Resolves with the next result an onChange listener receives. */
function nextChange(client) {
  let off;
  const promise = new Promise((resolve) => {
    off = client.onChange(resolve);
  });
  return within(promise, 'onChange').finally(() => off());
}

/** A `GET /v1/me` the way an app makes it, with the client's agent headers. */
function callMe(mockUrl, client) {
  return fetch(`${mockUrl}/v1/me`, { headers: { authorization: 'Bearer sk-mock-demo', ...client.agentHeaders() } });
}

export const tests = [
  {
    name: 'an action-require answering a request sent with an older hash than the client now holds asks for nothing',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      const opts = options({ storage: 'memory' });
      const app = new lib.ResourcesClient(opts);
      const other = new lib.ResourcesClient(opts);
      const before = await app.fetchResources();
      // The app sends a request with the hash it holds...
      const sent = app.agentHeaders();
      equal(sent['cli-agent'], `resources_hash=${before.hash}`);
      // ...meanwhile the catalog changes and another client brings it in.
      await control.catalog({ preset: 'changed' });
      const after = await other.fetchResources({ refresh: true });
      ok(after.hash !== before.hash);
      equal(app.hash, after.hash, 'the app heard the new catalog');
      await control.clearLog();
      // The answer to the old request asks for an update the app already has.
      const response = await fetch(`${mockUrl}/v1/me`, { headers: { authorization: 'Bearer sk-mock-demo', ...sent } });
      equal(response.headers.get('action-require'), 'update-resources');
      equal(app.observe(response), false, 'nothing to ask for');
      equal(app.stale, false);
      await new Promise((r) => setTimeout(r, 50));
      equal((await control.resourceRequests()).length, 0, 'no request');
      equal(app.cached().stale, false, 'the record is not marked stale');
      // A request sent with the current hash still counts.
      const current = await fetch(`${mockUrl}/v1/me`, { headers: { authorization: 'Bearer sk-mock-demo', ...app.agentHeaders() } });
      equal(current.headers.get('action-require'), null, 'the server has nothing to say to the current hash');
      equal(app.observe(responseWith(200, { 'action-require': 'update-resources' })), true);
      await waitFor(async () => (await control.resourceRequests()).length === 1, 'the refresh');
    },
  },
  {
    name: 'observe() before any catalog is stored: stale until the refresh lands',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      const client = new lib.ResourcesClient(options());
      equal(client.hash, null);
      const changed = nextChange(client);
      const response = await fetch(`${mockUrl}/v1/me`, { headers: { authorization: 'Bearer sk-mock-demo', 'cli-agent': 'resources_hash=old' } });
      equal(response.headers.get('action-require'), 'update-resources');
      equal(client.observe(response), true);
      equal(client.stale, true, 'no record to mark, yet the client knows a refresh is due');
      const result = await changed;
      equal(result.source, 'network');
      equal(client.stale, false);
    },
  },
  {
    name: 'concurrent fetchResources calls on one client share one request',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ delayMs: 100 });
      const client = new lib.ResourcesClient(options());
      const results = await Promise.all([client.fetchResources(), client.fetchResources(), client.fetchResources({ refresh: true })]);
      equal((await control.resourceRequests()).length, 1);
      for (const r of results) {
        equal(r.hash, results[0].hash);
        equal(r.source, 'network');
        equal(r.changed, true);
      }
      // Each caller gets its own copy.
      results[0].resources.models.length = 0;
      equal(results[1].resources.models.length, 7);
    },
  },
  {
    name: 'an AbortSignal cancels only its own caller; the shared request goes on',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ delayMs: 300 });
      const client = new lib.ResourcesClient(options());
      const abort = new AbortController();
      const mine = client.fetchResources({ signal: abort.signal });
      const theirs = client.fetchResources();
      await waitFor(async () => (await control.resourceRequests()).length === 1, 'the request to reach the mock');
      abort.abort();
      equal((await rejects(within(mine, 'the aborted caller'))).code, 'ABORTED');
      const result = await within(theirs, 'the other caller');
      equal(result.source, 'network');
      const log = await control.resourceRequests();
      equal(log.length, 1);
      equal(log[0].status, 200, 'the request was answered, not cancelled');
      equal(client.hash, result.hash);
    },
  },
  {
    name: 'when the last waiting caller aborts, the request itself is cancelled',
    async run({ lib, options, control, sleep }) {
      await control.reset();
      await control.faults({ delayMs: 500 });
      const client = new lib.ResourcesClient(options());
      const a = new AbortController();
      const b = new AbortController();
      const first = client.fetchResources({ signal: a.signal });
      const second = client.fetchResources({ signal: b.signal });
      await waitFor(async () => (await control.resourceRequests()).length === 1, 'the request to reach the mock');
      a.abort();
      b.abort();
      equal((await rejects(first)).code, 'ABORTED');
      equal((await rejects(second)).code, 'ABORTED');
      // Past the mock's 500 ms delay: had the request gone on, the log would show its 200.
      await sleep(700);
      equal((await control.resourceRequests())[0].status, null, 'never answered: the client hung up');
      equal(client.hash, null);
    },
  },
  {
    name: 'observe(): action-require on a real response marks stale and refreshes once',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      const client = new lib.ResourcesClient(options());
      const first = await client.fetchResources();
      await control.catalog({ preset: 'changed' });
      await control.clearLog();
      const response = await callMe(mockUrl, client);
      equal(response.status, 200);
      equal(response.headers.get('action-require'), 'update-resources');
      const changed = nextChange(client);
      equal(client.observe(response), true);
      equal(client.stale, true, 'stale until the refresh lands');
      equal(client.cached().stale, true);
      const result = await changed;
      equal(result.hash, (await control.state()).hash);
      equal(result.previousHash, first.hash);
      equal(result.changed, true);
      equal(client.stale, false);
      equal(client.hash, result.hash);
      equal((await control.resourceRequests()).length, 1);
      // With the new hash the app's calls no longer ask for a refresh.
      const after = await callMe(mockUrl, client);
      equal(after.headers.get('action-require'), null);
      equal(client.observe(after), false);
      await control.reset();
    },
  },
  {
    name: 'observe(): a burst of 10 responses starts exactly one refresh',
    async run({ lib, options, control, mockUrl, sleep }) {
      await control.reset();
      const client = new lib.ResourcesClient(options());
      await client.fetchResources();
      await control.catalog({ preset: 'changed' });
      const responses = await Promise.all(Array.from({ length: 10 }, () => callMe(mockUrl, client)));
      await control.clearLog();
      const changes = [];
      const off = client.onChange((r) => changes.push(r.hash));
      const answers = responses.map((r) => client.observe(r));
      deepEqual(answers, Array(10).fill(true));
      // A fetchResources call now joins the refresh under way.
      const joined = await client.fetchResources();
      equal(joined.hash, (await control.state()).hash);
      await sleep(50);
      equal((await control.resourceRequests()).length, 1);
      deepEqual(changes, [joined.hash], 'onChange fired once, with the new hash');
      off();
      await control.reset();
    },
  },
  {
    name: 'observe() joins a fetchResources already under way',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options());
      await client.fetchResources();
      await control.clearLog();
      await control.faults({ delayMs: 200 });
      const running = client.fetchResources();
      equal(client.observe(responseWith(200, { 'action-require': 'update-resources' })), true);
      await running;
      equal((await control.resourceRequests()).length, 1);
      equal(client.stale, false);
    },
  },
  {
    name: 'observe() reads action-require case-insensitively and as a list',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options());
      for (const value of ['Update-Resources, other', 'other,update-resources', 'UPDATE-RESOURCES']) {
        equal(client.observe(responseWith(200, { 'Action-Require': value })), true, value);
        await client.fetchResources(); // joins the refresh, so the next one starts anew
      }
      equal((await control.resourceRequests()).length, 3);
    },
  },
  {
    name: 'observe() ignores non-2xx responses, other actions, and things that are not responses',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      const client = new lib.ResourcesClient(options());
      await client.fetchResources();
      await control.clearLog();
      await control.faults({ path: '/v1/me', status: 500, headers: { 'action-require': 'update-resources' } });
      const failed = await callMe(mockUrl, client);
      equal(failed.status, 500);
      equal(failed.headers.get('action-require'), 'update-resources');
      equal(client.observe(failed), false);
      equal(client.observe(responseWith(401, { 'action-require': 'update-resources' })), false);
      equal(client.observe(responseWith(304, { 'action-require': 'update-resources' })), false);
      equal(client.observe(responseWith(200)), false);
      equal(client.observe(responseWith(200, { 'action-require': 'update-resources-later' })), false);
      equal(client.observe(await callMe(mockUrl, client)), false, 'current hash: no header');
      for (const notAResponse of [null, undefined, 42, 'update-resources', {}, { status: 200 }, { status: 200, headers: {} }]) {
        equal(client.observe(notAResponse), false, JSON.stringify(notAResponse));
      }
      equal(client.stale, false);
      equal((await control.resourceRequests()).length, 0);
    },
  },
  {
    name: 'observe() accepts a Response-like object with status and headers.get',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options());
      const like = { status: 200, headers: new Headers({ 'action-require': 'update-resources' }) };
      equal(client.observe(like), true);
      await client.fetchResources();
      equal((await control.resourceRequests()).length, 1);
    },
  },
  {
    name: 'a failing background refresh leaves the catalog stale and raises no unhandled rejection',
    async run({ lib, options, control, sleep }) {
      await control.reset();
      const unhandled = [];
      const onNode = (reason) => unhandled.push(reason);
      const onBrowser = (event) => unhandled.push(event.reason);
      globalThis.process?.on?.('unhandledRejection', onNode);
      globalThis.addEventListener?.('unhandledrejection', onBrowser);
      try {
        const client = new lib.ResourcesClient(options());
        const first = await client.fetchResources();
        for (const fault of [{ status: 401 }, { status: 500 }, { kind: 'malformed' }]) {
          await control.faults(fault);
          equal(client.observe(responseWith(200, { 'action-require': 'update-resources' })), true);
          await waitFor(async () => (await control.state()).pendingFaults === 0, 'the refresh to be sent');
          await waitFor(async () => (await control.resourceRequests()).every((r) => r.status !== null), 'the answer');
          await sleep(50);
          equal(client.stale, true, `still stale after ${JSON.stringify(fault)}`);
          equal(client.hash, first.hash);
        }
        // A good refresh clears the flag.
        equal(client.observe(responseWith(200, { 'action-require': 'update-resources' })), true);
        await client.fetchResources();
        equal(client.stale, false);
      } finally {
        globalThis.process?.off?.('unhandledRejection', onNode);
        globalThis.removeEventListener?.('unhandledrejection', onBrowser);
      }
      deepEqual(unhandled.map(String), []);
    },
  },
  {
    name: 'a background refresh is not cancelled when a joining caller aborts',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options());
      await control.faults({ delayMs: 300 });
      const change = nextChange(client);
      equal(client.observe(responseWith(200, { 'action-require': 'update-resources' })), true);
      const abort = new AbortController();
      const joined = client.fetchResources({ signal: abort.signal });
      await waitFor(async () => (await control.resourceRequests()).length === 1, 'the refresh to reach the mock');
      abort.abort();
      equal((await rejects(joined)).code, 'ABORTED');
      const result = await change;
      equal(result.hash, (await control.state()).hash);
      equal((await control.resourceRequests())[0].status, 200);
    },
  },
  {
    name: 'onChange fires for the first hash and for changes, not for the same hash; unsubscribe works',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options());
      const seen = [];
      const off = client.onChange((r) => seen.push([r.hash, r.source, r.changed]));
      const first = await client.fetchResources();
      await client.fetchResources();
      deepEqual(seen, [[first.hash, 'network', true]]);
      await control.catalog({ preset: 'changed' });
      const second = await client.fetchResources();
      deepEqual(seen, [[first.hash, 'network', true], [second.hash, 'network', true]]);
      equal(typeof off, 'function');
      off();
      off(); // a second call does nothing
      await control.catalog({ preset: 'default' });
      await client.fetchResources();
      equal(seen.length, 2, 'no call after unsubscribing');
      await control.reset();
    },
  },
  {
    name: 'onChange does not fire for a stored hash found at start, nor for a stale-if-error result',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options({ storage: 'memory' });
      await new lib.ResourcesClient(opts).fetchResources();
      const client = new lib.ResourcesClient(opts);
      let calls = 0;
      client.onChange(() => { calls += 1; });
      await client.fetchResources();
      await control.faults({ status: 500 });
      equal((await client.fetchResources()).source, 'cache');
      equal(calls, 0);
    },
  },
  {
    name: 'onChange with something that is not a function throws INVALID_OPTIONS at once',
    async run({ lib, options }) {
      const client = new lib.ResourcesClient(options());
      for (const notAFunction of [undefined, null, 42, 'cb', {}]) {
        let error;
        try {
          client.onChange(notAFunction);
        } catch (e) {
          error = e;
        }
        ok(error instanceof lib.ResourcesError, `onChange(${String(notAFunction)}) should throw`);
        equal(error.code, 'INVALID_OPTIONS');
      }
    },
  },
  {
    name: 'a throwing onChange listener is reported with console.error and does not stop the others',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options());
      const reported = [];
      const original = console.error;
      console.error = (...args) => reported.push(args);
      let after = 0;
      try {
        client.onChange(() => {
          throw new Error('listener bug');
        });
        client.onChange(() => { after += 1; });
        const result = await client.fetchResources();
        equal(result.source, 'network', 'the fetch itself succeeds');
      } finally {
        console.error = original;
      }
      equal(after, 1);
      equal(reported.length, 1);
      ok(String(reported[0][0]).includes('onChange'), String(reported[0][0]));
      ok(String(reported[0][1]).includes('listener bug'), String(reported[0][1]));
    },
  },
  {
    name: 'a listener may unsubscribe itself and subscribe others while being called',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options());
      const order = [];
      const off = client.onChange(() => {
        order.push('a');
        off();
        client.onChange(() => order.push('late'));
      });
      client.onChange(() => order.push('b'));
      await client.fetchResources();
      deepEqual(order, ['a', 'b']);
      await control.catalog({ preset: 'changed' });
      await client.fetchResources();
      deepEqual(order, ['a', 'b', 'b', 'late']);
      await control.reset();
    },
  },
  {
    name: 'onChange fires for another tab\'s update through the storage event',
    only: 'browser',
    async run({ lib, options, control }) {
      await control.reset();
      const opts = options({ storage: 'local' });
      const client = new lib.ResourcesClient(opts);
      const first = await client.fetchResources();
      const frame = document.createElement('iframe');
      try {
        // A second document of this origin: its own module instance, the same localStorage.
        frame.src = '/tests/runtimes/browser/index.html';
        document.body.append(frame);
        await waitFor(() => frame.contentWindow?.__ready === true, 'the iframe to load');
        const other = await frame.contentWindow.eval('import("/pkg/index.js")');
        ok(other.ResourcesClient !== lib.ResourcesClient, 'a separate instance of the package');
        const otherClient = new other.ResourcesClient(opts);
        equal(otherClient.hash, first.hash, 'the other tab sees the stored hash');
        await control.catalog({ preset: 'changed' });
        const change = nextChange(client);
        const theirs = await otherClient.fetchResources({ refresh: true });
        const heard = await change;
        equal(heard.hash, theirs.hash);
        equal(heard.hash, (await control.state()).hash);
        equal(client.hash, theirs.hash);
      } finally {
        frame.remove();
        client.clear();
        await control.reset();
      }
    },
  },
];
