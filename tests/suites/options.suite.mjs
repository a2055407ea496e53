// Reading options (unknown keys, types, absent values, inherited keys, headers in
// every form fetch takes, relative base URLs, a key in a page), what errors say
// (URL, attempts, causes, abort reasons), the user-agent, and a freed client.
import { ok, equal, rejects, throws } from './assert.mjs';
import { waitFor, within } from './helpers.mjs';

const isBrowser = () => typeof navigator === 'object' && String(navigator.userAgent).startsWith('Mozilla/');

function optionsError(lib, fn, what) {
  const error = throws(fn, `${what} should throw`);
  ok(error instanceof lib.ResourcesError, `a ResourcesError: ${error}`);
  equal(error.code, 'INVALID_OPTIONS', `code of ${error.message}`);
  return error;
}

/** A fetch that records the URL and headers of each request, then answers with `fetch`. */
function recordingFetch() {
  const seen = [];
  const wrapped = async (request) => {
    seen.push({ url: request.url, headers: Object.fromEntries(request.headers) });
    return fetch(request);
  };
  return { seen, fetch: wrapped };
}

export const tests = [
  {
    name: 'an unknown option suggests the near name (case, prefix/suffix, edit distance)',
    run({ lib, options }) {
      for (const [typo, meant] of [
        ['baseURL', 'baseUrl'], ['timeout', 'timeoutMs'], ['maxAge', 'maxAgeMs'], ['key', 'apiKey'],
        ['apikey', 'apiKey'], ['api_key', 'apiKey'], ['header', 'headers'], ['retires', 'retries'],
      ]) {
        const error = optionsError(lib, () => new lib.ResourcesClient({ ...options(), [typo]: 1 }), typo);
        ok(error.message.includes(`unknown option "${typo}" (did you mean "${meant}"?)`), error.message);
      }
      const far = optionsError(lib, () => new lib.ResourcesClient({ force: true }), 'force');
      ok(!far.message.includes('did you mean'), far.message);
      const call = optionsError(lib, () => new lib.ResourcesClient({ signal: new AbortController().signal }), 'signal');
      ok(call.message.includes('option of fetchResources'), call.message);
    },
  },
  {
    name: 'per-call options suggest too, and name what fetchResources takes',
    async run({ lib, options }) {
      const client = new lib.ResourcesClient(options());
      const error = await rejects(client.fetchResources({ refrsh: true }));
      equal(error.code, 'INVALID_OPTIONS');
      ok(error.message.includes('did you mean "refresh"') && error.message.includes('takes refresh and signal'), error.message);
      const parse = throws(() => lib.parseResources('{}', { strcit: true }));
      ok(parse.message.includes('did you mean "strict"'), parse.message);
    },
  },
  {
    name: 'a wrong type names the option and what was expected, never the value',
    run({ lib }) {
      for (const [opts, message] of [
        [{ timeoutMs: '100' }, 'timeoutMs must be a number'],
        [{ retries: true }, 'retries must be a number'],
        [{ strict: 'yes' }, 'strict must be a boolean'],
        [{ baseUrl: 42 }, 'baseUrl must be a string'],
        [{ dangerouslyAllowBrowser: 1 }, 'dangerouslyAllowBrowser must be a boolean'],
        [{ apiKey: new String('sk-boxed-secret') }, 'apiKey must be a string'],
        [{ apiKey: { key: 'sk-object-secret' } }, 'apiKey must be a string'],
        [{ fetch: 'fetch' }, 'fetch must be a function'],
      ]) {
        const error = optionsError(lib, () => new lib.ResourcesClient(opts), message);
        ok(error.message.includes(message), `${error.message} should say ${message}`);
        ok(!error.message.includes('secret'), error.message);
      }
    },
  },
  {
    name: 'undefined and null values mean the option is absent',
    async run({ lib, options, control }) {
      await control.reset();
      const absent = { timeoutMs: undefined, retries: null, headers: null, fetch: undefined, storage: null, maxAgeMs: null, strict: undefined };
      const client = new lib.ResourcesClient({ ...options(), ...absent });
      equal((await client.fetchResources({ refresh: undefined, signal: null })).source, 'network');
      await lib.fetchResources({ ...options(), ...absent, signal: undefined });
    },
  },
  {
    name: 'only own keys are options: inherited ones (also unknown names) are ignored',
    async run({ lib, options, control }) {
      await control.reset();
      await control.clearLog();
      const planted = { baseUrl: 'http://127.0.0.1:1', apiKey: 'sk-planted', timeout: 1, maxBytes: -1 };
      Object.assign(Object.prototype, planted);
      try {
        const client = new lib.ResourcesClient(options());
        equal((await client.fetchResources()).source, 'network');
        // An options object made from a prototype that holds options.
        const inherited = Object.assign(Object.create({ baseUrl: 'http://127.0.0.1:1' }), options());
        equal((await new lib.ResourcesClient(inherited).fetchResources()).source, 'network');
      } finally {
        for (const k of Object.keys(planted)) delete Object.prototype[k];
      }
      const sent = await control.resourceRequests();
      equal(sent.length, 2);
      ok(sent.every((r) => r.headers.authorization === 'Bearer <redacted>'), 'the own key was sent, not the planted one');
    },
  },
  {
    name: 'headers: a record, a Headers object, [name, value] pairs and a Map are all sent',
    async run({ lib, options, control }) {
      await control.reset();
      for (const headers of [
        { 'x-one': '1', 'x-two': '2' },
        new Headers({ 'x-one': '1', 'x-two': '2' }),
        [['x-one', '1'], ['x-two', '2']],
        new Map([['x-one', '1'], ['x-two', '2']]),
      ]) {
        await control.clearLog();
        await new lib.ResourcesClient(options({ headers })).fetchResources();
        const [sent] = await control.resourceRequests();
        equal(sent.headers['x-one'], '1', `${headers.constructor.name}: x-one`);
        equal(sent.headers['x-two'], '2', `${headers.constructor.name}: x-two`);
      }
    },
  },
  {
    name: 'headers of any other shape are INVALID_OPTIONS',
    run({ lib, options }) {
      for (const headers of ['x-a: 1', 42, true, () => {}, [['x-a']], [['x-a', 1]], ['x-a', '1'], [['x-a', '1', 'x']], { 'x-a': 1 }]) {
        const error = optionsError(lib, () => new lib.ResourcesClient(options({ headers })), String(headers));
        ok(error.message.includes('headers'), error.message);
      }
      const endless = { *[Symbol.iterator]() { for (;;) yield ['x-a', '1']; } };
      optionsError(lib, () => new lib.ResourcesClient(options({ headers: endless })), 'an endless iterable');
    },
  },
  {
    name: 'outside browsers the user-agent names the package; a given user-agent wins',
    only: 'node',
    async run({ lib, options, control }) {
      await control.reset();
      await control.clearLog();
      await new lib.ResourcesClient(options()).fetchResources();
      await new lib.ResourcesClient(options({ headers: { 'User-Agent': 'my-app/2.0' } })).fetchResources();
      const [ours, theirs] = await control.resourceRequests();
      ok(/^resources-client\/\d+\.\d+\.\d+/.test(ours.headers['user-agent']), ours.headers['user-agent']);
      equal(theirs.headers['user-agent'], 'my-app/2.0');
    },
  },
  {
    name: 'in a browser the request carries no user-agent header of its own',
    only: 'browser',
    async run({ lib, options }) {
      const { seen, fetch } = recordingFetch();
      await new lib.ResourcesClient(options({ fetch })).fetchResources();
      equal(seen[0].headers['user-agent'], undefined);
    },
  },
  {
    name: 'an HTTP error names the URL and the number of attempts',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      await control.faults({ kind: 'html', status: 503, times: 2 });
      const error = await rejects(within(lib.fetchResources(options({ retries: 1 })), 'a retried 503', 10_000));
      equal(error.code, 'HTTP_ERROR');
      equal(error.status, 503);
      ok(error.message.includes(`(GET ${mockUrl}/v1/resources, 2 attempts)`), error.message);
      await control.faults({ kind: 'html', status: 404 });
      const once = await rejects(lib.fetchResources(options({ retries: 1 })));
      ok(once.message.endsWith(`(GET ${mockUrl}/v1/resources)`), once.message);
    },
  },
  {
    name: 'a network error names the URL and attempts, and carries the cause without the key',
    async run({ lib, options }) {
      const error = await rejects(within(lib.fetchResources(options({ baseUrl: 'http://127.0.0.1:1', retries: 1 })), 'a refused connection', 10_000));
      equal(error.code, 'NETWORK_ERROR');
      ok(error.message.includes('(GET http://127.0.0.1:1/v1/resources, 2 attempts)'), error.message);
      ok(error.cause instanceof Error && error.cause.message.length > 0, `cause: ${error.cause}`);
      // A fetch whose error repeats the request's key: neither the message nor the cause keeps it.
      const leaky = async (request) => { throw new TypeError(`failed with ${request.headers.get('authorization')}`); };
      const leaked = await rejects(lib.fetchResources(options({ fetch: leaky })));
      equal(leaked.code, 'NETWORK_ERROR');
      ok(leaked.cause.message.includes('failed with Bearer'), leaked.cause.message);
      ok(!leaked.message.includes('sk-mock-demo') && !leaked.cause.message.includes('sk-mock-demo'), leaked.message);
    },
  },
  {
    name: 'a timeout after retries says how long and how often',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      await control.faults({ kind: 'hang', times: 2 });
      const error = await rejects(within(lib.fetchResources(options({ timeoutMs: 50, retries: 1 })), 'two timeouts', 10_000));
      equal(error.code, 'TIMEOUT');
      ok(error.message.includes(`timed out after 50 ms (GET ${mockUrl}/v1/resources, 2 attempts)`), error.message);
      await control.reset();
    },
  },
  {
    name: "an abort keeps the signal's reason as cause; a timed-out signal is TIMEOUT",
    async run({ lib, options, control }) {
      await control.reset();
      const early = await rejects(lib.fetchResources({ ...options(), signal: AbortSignal.abort('user left') }));
      equal(early.code, 'ABORTED');
      equal(early.cause, 'user left');
      await control.faults({ kind: 'hang', times: 2 });
      const controller = new AbortController();
      const client = new lib.ResourcesClient(options());
      const pending = client.fetchResources({ signal: controller.signal });
      await waitFor(async () => (await control.resourceRequests()).length === 1, 'the request to reach the mock');
      const reason = new Error('navigated away');
      controller.abort(reason);
      const late = await rejects(within(pending, 'an aborted request'));
      equal(late.code, 'ABORTED');
      equal(late.cause, reason);
      const timed = await rejects(within(client.fetchResources({ signal: AbortSignal.timeout(50) }), 'a timed-out signal'));
      equal(timed.code, 'TIMEOUT');
      equal(timed.retryable, true);
      equal(timed.cause?.name, 'TimeoutError');
      await control.reset();
    },
  },
  {
    name: 'ResourcesError takes a cause like Error does',
    run({ lib }) {
      const cause = new Error('underneath');
      const e = new lib.ResourcesError('m', { code: 'NETWORK_ERROR', cause });
      equal(e.cause, cause);
      ok(!('cause' in new lib.ResourcesError('m', { code: 'X' })), 'no cause unless given');
    },
  },
  {
    name: "a relative baseUrl resolves against the page's location",
    async run({ lib, options, mockUrl }) {
      const fake = typeof globalThis.location === 'undefined';
      if (fake) globalThis.location = { href: `${mockUrl}/app/index.html?q=1#top` };
      try {
        for (const [base, path] of [['/', '/v1/resources'], ['/proxy/v1/', '/proxy/v1/resources'], ['./api', '/api/v1/resources']]) {
          const { seen, fetch } = recordingFetch();
          const expected = new URL(path.startsWith('/api') ? `./api/v1/resources` : path, globalThis.location.href).href;
          await lib.fetchResources(options({ baseUrl: base, fetch })).catch(() => {});
          equal(seen[0]?.url, expected, base);
        }
      } finally {
        if (fake) delete globalThis.location;
      }
    },
  },
  {
    name: 'outside a page a relative baseUrl is INVALID_OPTIONS saying why',
    only: 'node',
    run({ lib, options }) {
      equal(globalThis.location, undefined);
      const error = optionsError(lib, () => new lib.ResourcesClient(options({ baseUrl: '/api' })), '/api');
      ok(error.message.includes('relative') && error.message.includes('no page location'), error.message);
    },
  },
  {
    name: 'an apiKey in a browser needs dangerouslyAllowBrowser: true',
    only: 'browser',
    run({ lib, mockUrl }) {
      const error = optionsError(lib, () => new lib.ResourcesClient({ baseUrl: mockUrl, apiKey: 'sk-page-secret' }), 'a key in a page');
      ok(error.message.includes('dangerouslyAllowBrowser'), error.message);
      ok(!error.message.includes('sk-page-secret'), error.message);
      new lib.ResourcesClient({ baseUrl: mockUrl, apiKey: 'sk-x', dangerouslyAllowBrowser: true });
      new lib.ResourcesClient({ baseUrl: mockUrl });
      new lib.ResourcesClient({ baseUrl: mockUrl, apiKey: 'sk-x', dangerouslyAllowBrowser: true }).free();
    },
  },
  {
    name: 'outside browsers an apiKey needs no opt-in',
    only: 'node',
    run({ lib, mockUrl }) {
      ok(!isBrowser());
      new lib.ResourcesClient({ baseUrl: mockUrl, apiKey: 'sk-x' }).free();
    },
  },
  {
    name: 'a freed client throws CLIENT_FREED from every method and getter; fetchResources rejects',
    async run({ lib, options }) {
      const client = new lib.ResourcesClient(options());
      client.free();
      const calls = {
        cached: () => client.cached(),
        hash: () => client.hash,
        stale: () => client.stale,
        agentHeaders: () => client.agentHeaders(),
        observe: () => client.observe(new Response('{}')),
        onChange: () => client.onChange(() => {}),
        clear: () => client.clear(),
      };
      for (const [name, call] of Object.entries(calls)) {
        const error = throws(call, `${name} on a freed client`);
        ok(error instanceof lib.ResourcesError, `${name}: ${error}`);
        equal(error.code, 'CLIENT_FREED', name);
        ok(error.message.includes(name), error.message);
      }
      let promise;
      try { promise = client.fetchResources(); } catch (e) { throw new Error(`fetchResources threw: ${e}`); }
      const error = await rejects(promise);
      equal(error.code, 'CLIENT_FREED');
    },
  },
];
