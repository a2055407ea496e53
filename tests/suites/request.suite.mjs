// What goes on the wire: URL, authorization, accept, user headers and the
// cli-agent hash header, as the mock server saw them (its request log).
import { ok, equal, deepEqual, rejects } from './assert.mjs';
import { recordingStorage } from './helpers.mjs';

export const tests = [
  {
    name: 'sends Bearer auth, accept JSON and user headers; cli-agent only once a hash is stored',
    async run({ lib, options, control }) {
      await control.reset();
      const client = new lib.ResourcesClient(options({ headers: { 'x-trace-id': 'trace-1' } }));
      deepEqual(client.agentHeaders(), {});
      const first = await client.fetchResources();
      const second = await client.fetchResources();
      const [a, b] = await control.resourceRequests();
      equal(a.headers.authorization, 'Bearer <redacted>');
      equal(a.headers.accept, 'application/json');
      equal(a.headers['x-trace-id'], 'trace-1');
      equal(a.headers['cli-agent'], undefined, 'no cli-agent before a hash is known');
      equal(b.headers['cli-agent'], `resources_hash=${first.hash}`);
      equal(b.headers['x-trace-id'], 'trace-1');
      equal(second.hash, first.hash);
      deepEqual(client.agentHeaders(), { 'cli-agent': `resources_hash=${first.hash}` });
    },
  },
  {
    name: 'a key given as "Bearer sk-..." is not prefixed twice',
    async run({ lib, options, control }) {
      await control.reset();
      const result = await lib.fetchResources(options({ apiKey: 'Bearer sk-mock-demo' }));
      equal(result.source, 'network');
      const [entry] = await control.resourceRequests();
      equal(entry.headers.authorization, 'Bearer <redacted>');
      equal(entry.status, 200);
    },
  },
  {
    name: 'a doubled Bearer would be refused: the mock logs a wrong key as <wrong>',
    async run({ lib, options, control }) {
      // Guards the test above: the mock really tells a doubled prefix apart.
      await control.reset();
      await rejects(lib.fetchResources(options({ apiKey: 'sk-mock-demo-not' })));
      const [entry] = await control.resourceRequests();
      equal(entry.headers.authorization, '<wrong>');
    },
  },
  {
    name: 'base URLs with a trailing slash or /v1 all hit /v1/resources',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      for (const baseUrl of [mockUrl, `${mockUrl}/`, `${mockUrl}/v1`, `${mockUrl}/v1/`, `${mockUrl}//`]) {
        const result = await lib.fetchResources(options({ baseUrl }));
        equal(result.source, 'network', baseUrl);
      }
      const paths = (await control.log()).filter((r) => r.method === 'GET').map((r) => r.path);
      deepEqual(paths, Array(5).fill('/v1/resources'));
    },
  },
  {
    name: 'equivalent base URLs share one stored record; another base does not',
    async run({ lib, control, mockUrl, uniqueKey }) {
      await control.reset();
      const storage = recordingStorage();
      const common = { apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true, storageKey: uniqueKey(), retries: 0, storage };
      const first = await new lib.ResourcesClient({ ...common, baseUrl: `${mockUrl}/v1/` }).fetchResources();
      equal(new lib.ResourcesClient({ ...common, baseUrl: mockUrl }).hash, first.hash);
      const other = new lib.ResourcesClient({ ...common, baseUrl: mockUrl.replace('127.0.0.1', 'localhost') });
      equal(other.hash, null);
      equal(storage.map.size, 1);
    },
  },
  {
    name: 'user headers cannot replace accept, and authorization comes from apiKey',
    async run({ lib, options, control }) {
      await control.reset();
      await lib.fetchResources(options({ headers: { Accept: 'text/html', Authorization: 'Bearer sk-other' } }));
      const [entry] = await control.resourceRequests();
      equal(entry.headers.accept, 'application/json');
      equal(entry.headers.authorization, 'Bearer <redacted>');
    },
  },
  {
    name: 'with apiKey: null no authorization is sent (a proxy may add it)',
    async run({ lib, options, control }) {
      await control.reset();
      const error = await rejects(lib.fetchResources(options({ apiKey: null })));
      equal(error.code, 'UNAUTHORIZED_ERROR');
      const [entry] = await control.resourceRequests();
      equal(entry.headers.authorization, undefined);
    },
  },
  {
    name: 'outside browsers: RESOURCES_API_KEY and RESOURCES_BASE_URL fill omitted options; no key at all fails at once, unless apiKey: null',
    only: 'node',
    async run({ lib, control, mockUrl }) {
      await control.reset();
      const env = globalThis.process.env;
      const saved = [env.RESOURCES_API_KEY, env.RESOURCES_BASE_URL];
      const restore = (name, value) => { if (value === undefined) delete env[name]; else env[name] = value; };
      try {
        env.RESOURCES_API_KEY = 'sk-mock-demo';
        env.RESOURCES_BASE_URL = mockUrl;
        const r = await lib.fetchResources({ storage: 'memory', retries: 0 });
        ok(typeof r.hash === 'string');
        const client = new lib.ResourcesClient({ storage: 'memory', retries: 0 });
        equal((await client.fetchResources()).hash, r.hash, 'the client takes them too');
        const sent = await control.resourceRequests();
        equal(sent.length, 2);
        equal(sent[0].headers.authorization, 'Bearer <redacted>', 'the key from the environment');
        // An option given wins over the environment.
        env.RESOURCES_API_KEY = 'sk-wrong';
        equal((await rejects(lib.fetchResources({ apiKey: 'sk-wrong-too', storage: 'memory', retries: 0 }))).code, 'UNAUTHORIZED_ERROR');
        ok((await lib.fetchResources({ apiKey: 'sk-mock-demo', storage: 'memory', retries: 0 })).hash);
        // No key anywhere: the call fails at once, with no request.
        delete env.RESOURCES_API_KEY;
        const before = (await control.resourceRequests()).length;
        const missing = await rejects(lib.fetchResources({ storage: 'memory' }));
        ok(missing instanceof lib.ResourcesError);
        equal(missing.code, 'MISSING_API_KEY');
        equal(missing.status, 0);
        ok(missing.message.includes('RESOURCES_API_KEY') && missing.message.includes('apiKey: null'), missing.message);
        equal((await rejects(new lib.ResourcesClient({ storage: 'memory' }).fetchResources())).code, 'MISSING_API_KEY');
        equal((await control.resourceRequests()).length, before, 'nothing was sent');
        // No key on purpose (a proxy adds it), or credentials of the caller's own: the request goes.
        equal((await rejects(lib.fetchResources({ apiKey: null, storage: 'memory', retries: 0 }))).code, 'UNAUTHORIZED_ERROR');
        ok((await lib.fetchResources({ headers: { Authorization: 'Bearer sk-mock-demo' }, storage: 'memory', retries: 0 })).hash);
        equal((await control.resourceRequests()).length, before + 2);
      } finally {
        restore('RESOURCES_API_KEY', saved[0]);
        restore('RESOURCES_BASE_URL', saved[1]);
      }
    },
  },
  {
    name: 'an injected fetch is used for every request',
    async run({ lib, options, control, mockUrl }) {
      await control.reset();
      const seen = [];
      const counting = (request, init) => {
        seen.push(request.url ?? String(request));
        return fetch(request, init);
      };
      const client = new lib.ResourcesClient(options({ fetch: counting, baseUrl: `${mockUrl}/v1/` }));
      await client.fetchResources();
      await client.fetchResources({ refresh: true });
      deepEqual(seen, [`${mockUrl}/v1/resources`, `${mockUrl}/v1/resources`]);
      equal((await control.resourceRequests()).length, 2);
    },
  },
  {
    name: 'an injected fetch that throws or resolves to a non-Response is a NETWORK_ERROR',
    async run({ lib, options }) {
      const thrower = () => {
        throw new TypeError('proxy refused');
      };
      const e1 = await rejects(lib.fetchResources(options({ fetch: thrower })));
      equal(e1.code, 'NETWORK_ERROR');
      ok(e1.message.includes('proxy refused'), e1.message);
      const e2 = await rejects(lib.fetchResources(options({ fetch: async () => 42 })));
      equal(e2.code, 'NETWORK_ERROR');
    },
  },
];
