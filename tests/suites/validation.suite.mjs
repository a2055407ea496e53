// Validation through the package: odd catalogs served by the mock give
// INVALID_RESPONSE at the exact JSON path, additive surprises give warnings,
// and strict mode turns those into errors.
import { ok, equal, deepEqual, rejects } from './assert.mjs';
import { defaultResources } from './helpers.mjs';

/** Serves `resources` (from a copy of the default catalog changed by `edit`) and fetches it. */
async function fetchEdited(ctx, edit, extra = {}) {
  const resources = await defaultResources(ctx.control);
  const edited = edit(resources) ?? resources;
  await ctx.control.catalog({ resources: edited });
  return ctx.lib.fetchResources(ctx.options(extra));
}

async function expectInvalid(ctx, edit, path, extra) {
  const error = await rejects(fetchEdited(ctx, edit, extra), `expected INVALID_RESPONSE at ${path}`);
  ok(error instanceof ctx.lib.ResourcesError);
  equal(error.code, 'INVALID_RESPONSE', error.message);
  equal(error.path, path, error.message);
  equal(error.status, 200);
  equal(error.retryable, false);
  ok(error.message.includes(path), error.message);
  return error;
}

// Each structural field, broken one at a time. models[2] is gpt-5, models[4] gpt-image-1.
const STRUCTURAL = [
  ['resources is not an object', () => ['models'], 'data.resources'],
  ['models missing', (r) => { delete r.models; }, 'data.resources.models'],
  ['models not an array', (r) => { r.models = {}; }, 'data.resources.models'],
  ['a model that is not an object', (r) => { r.models[1] = 'gpt-4o'; }, 'data.resources.models[1]'],
  ['model missing', (r) => { delete r.models[3].model; }, 'data.resources.models[3].model'],
  ['model not a string', (r) => { r.models[3].model = 7; }, 'data.resources.models[3].model'],
  ['empty model id', (r) => { r.models[0].model = ''; }, 'data.resources.models[0].model'],
  ['modality missing', (r) => { delete r.models[2].modality; }, 'data.resources.models[2].modality'],
  ['modality not a string', (r) => { r.models[2].modality = null; }, 'data.resources.models[2].modality'],
  ['availableRunOptions missing', (r) => { delete r.models[1].availableRunOptions; }, 'data.resources.models[1].availableRunOptions'],
  ['availableRunOptions not an array', (r) => { r.models[1].availableRunOptions = {}; }, 'data.resources.models[1].availableRunOptions'],
  ['a run option not an object', (r) => { r.models[4].availableRunOptions[1] = 'size'; }, 'data.resources.models[4].availableRunOptions[1]'],
  ['key missing', (r) => { delete r.models[4].availableRunOptions[1].key; }, 'data.resources.models[4].availableRunOptions[1].key'],
  ['empty key', (r) => { r.models[4].availableRunOptions[0].key = ''; }, 'data.resources.models[4].availableRunOptions[0].key'],
  ['options missing', (r) => { delete r.models[2].availableRunOptions[0].options; }, 'data.resources.models[2].availableRunOptions[0].options'],
  ['options not an array', (r) => { r.models[2].availableRunOptions[0].options = 'low'; }, 'data.resources.models[2].availableRunOptions[0].options'],
  ['an option value not a string', (r) => { r.models[2].availableRunOptions[0].options[1] = 1; }, 'data.resources.models[2].availableRunOptions[0].options[1]'],
];

export const tests = [
  ...STRUCTURAL.map(([what, edit, path]) => ({
    name: `${what} is INVALID_RESPONSE at ${path}`,
    async run(ctx) {
      await expectInvalid(ctx, edit, path);
      await ctx.control.reset();
    },
  })),
  {
    name: 'a hash that is not base64url is INVALID_RESPONSE at data.hash and never reaches a header',
    async run(ctx) {
      const { lib, options, control } = ctx;
      const opts = options();
      for (const hash of ['abc+def', 'abc/def', 'abc\r\nx-injected: 1', 'abc def', '', 42, null]) {
        await control.reset();
        await control.catalog({ hash });
        const error = await rejects(lib.fetchResources(opts), `hash ${JSON.stringify(hash)}`);
        equal(error.code, 'INVALID_RESPONSE');
        equal(error.path, 'data.hash', `${JSON.stringify(hash)}: ${error.message}`);
      }
      await control.reset();
      const client = new lib.ResourcesClient(opts);
      equal(client.hash, null, 'nothing was stored');
      await client.fetchResources();
      const sent = (await control.resourceRequests()).map((r) => r.headers['cli-agent']);
      deepEqual(sent, [undefined], 'no cli-agent from a refused hash');
    },
  },
  {
    name: 'the envelope itself: status, data and hash are checked from the root',
    async run({ lib, options, control }) {
      const bodies = [
        [{ data: {} }, 'status'],
        [{ status: 7, data: {} }, 'status'],
        [{ status: 'SUCCESS' }, 'data'],
        [{ status: 'SUCCESS', data: null }, 'data'],
        [{ status: 'SUCCESS', data: [] }, 'data'],
        [{ status: 'SUCCESS', data: { resources: { models: [] } } }, 'data.hash'],
        [{ status: 'SUCCESS', data: { hash: 'abc' } }, 'data.resources'],
      ];
      await control.reset();
      for (const [body, path] of bodies) {
        await control.faults({ status: 200, body });
        const error = await rejects(lib.fetchResources(options()));
        equal(error.code, 'INVALID_RESPONSE', JSON.stringify(body));
        equal(error.path, path, JSON.stringify(body));
      }
    },
  },
  {
    name: 'an error envelope on a 2xx is the server error it names',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ status: 200, body: { status: 'SERVER_ERROR', message: 'upstream down', data: null } });
      const error = await rejects(lib.fetchResources(options()));
      equal(error.code, 'SERVER_ERROR');
      equal(error.status, 200);
      ok(error.message.includes('upstream down'), error.message);
    },
  },
  {
    name: 'an HTML page with status 200 is INVALID_RESPONSE naming the content type and first bytes',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ kind: 'html', status: 200 });
      const error = await rejects(lib.fetchResources(options()));
      equal(error.code, 'INVALID_RESPONSE');
      equal(error.path, undefined);
      equal(error.status, 200);
      ok(error.message.includes('text/html'), error.message);
      ok(error.message.includes('<html><body><h1>502 Bad Gateway'), error.message);
      ok(!error.message.includes('sk-mock-demo'));
    },
  },
  {
    name: 'an empty 200 body and a truncated JSON body are INVALID_RESPONSE',
    async run({ lib, options, control }) {
      await control.reset();
      await control.faults({ kind: 'empty' });
      const empty = await rejects(lib.fetchResources(options()));
      equal(empty.code, 'INVALID_RESPONSE');
      ok(empty.message.includes('empty body'), empty.message);
      await control.faults({ kind: 'malformed' });
      const malformed = await rejects(lib.fetchResources(options()));
      equal(malformed.code, 'INVALID_RESPONSE');
      ok(malformed.message.includes('not valid JSON'), malformed.message);
      ok(malformed.message.includes('application/json'), malformed.message);
      ok(malformed.message.includes('{"status":"SUCCESS"'), malformed.message);
    },
  },
  {
    name: 'additive surprises are kept and listed in warnings',
    async run(ctx) {
      const result = await fetchEdited(ctx, (r) => {
        r.models[0].modality = 'audio';
        r.models[1].releasedAt = '2025-01-01';
        r.models.push({ ...structuredClone(r.models[3]) });
        r.models[2].availableRunOptions.push({ key: 'reasoningEffort', options: ['high'] });
        r.tools = [{ name: 'web-search' }];
      });
      const w = result.warnings;
      const has = (path, word) => w.some((x) => x.startsWith(`${path}:`) && x.includes(word));
      ok(has('data.resources.models[0].modality', 'audio'), JSON.stringify(w));
      ok(has('data.resources.models[1].releasedAt', 'unknown field'), JSON.stringify(w));
      ok(has('data.resources.models[7].model', 'duplicate'), JSON.stringify(w));
      ok(has('data.resources.models[2].availableRunOptions[1].key', 'duplicate'), JSON.stringify(w));
      ok(has('data.resources.tools', 'unknown section'), JSON.stringify(w));
      equal(result.resources.models[0].modality, 'audio', 'an unknown modality is kept');
      equal(result.resources.models[1].releasedAt, '2025-01-01', 'unknown fields are kept');
      equal(result.resources.models.length, 8, 'duplicates are kept');
      deepEqual(result.resources.tools, [{ name: 'web-search' }], 'unknown sections are kept');
      await ctx.control.reset();
    },
  },
  {
    name: 'the default catalog has no warnings',
    async run({ lib, options, control }) {
      await control.reset();
      deepEqual((await lib.fetchResources(options())).warnings, []);
    },
  },
  {
    name: 'strict mode turns each kind of warning into INVALID_RESPONSE at its path',
    async run(ctx) {
      const strict = { strict: true };
      await expectInvalid(ctx, (r) => { r.models[5].modality = 'audio'; }, 'data.resources.models[5].modality', strict);
      await expectInvalid(ctx, (r) => { r.models[1].releasedAt = 'x'; }, 'data.resources.models[1].releasedAt', strict);
      await expectInvalid(ctx, (r) => { r.models[0].availableRunOptions[0].label = 'x'; }, 'data.resources.models[0].availableRunOptions[0].label', strict);
      await expectInvalid(ctx, (r) => { r.models[4].model = 'o3'; }, 'data.resources.models[4].model', strict);
      await expectInvalid(ctx, (r) => { r.models[4].availableRunOptions[1].key = 'quality'; }, 'data.resources.models[4].availableRunOptions[1].key', strict);
      await expectInvalid(ctx, (r) => { r.models[4].availableRunOptions[1].options[2] = '1024x1024'; }, 'data.resources.models[4].availableRunOptions[1].options[2]', strict);
      await expectInvalid(ctx, (r) => { r.tools = []; }, 'data.resources.tools', strict);
      const error = await expectInvalid(ctx, (r) => { r.models[5].modality = 'audio'; }, 'data.resources.models[5].modality', strict);
      ok(error.message.includes('strict'), error.message);
      await ctx.control.reset();
    },
  },
  {
    name: 'strict mode accepts a clean catalog',
    async run({ lib, options, control }) {
      await control.reset();
      const result = await lib.fetchResources(options({ strict: true }));
      equal(result.resources.models.length, 7);
    },
  },
  {
    name: 'a catalog with no models is valid',
    async run(ctx) {
      const result = await fetchEdited(ctx, () => ({ models: [] }));
      deepEqual(result.resources, { models: [] });
      deepEqual(result.warnings, []);
      await ctx.control.reset();
    },
  },
  {
    name: 'keys like __proto__ stay plain data',
    async run(ctx) {
      const result = await fetchEdited(ctx, () => JSON.parse('{"models":[],"__proto__":{"polluted":true}}'));
      equal({}.polluted, undefined);
      equal(result.resources.polluted, undefined);
      ok(Object.hasOwn(result.resources, '__proto__'), 'kept as an own key');
      await ctx.control.reset();
    },
  },
];
