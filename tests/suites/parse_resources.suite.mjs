// parseResources (validation of a body the app fetched itself) and cached(),
// whose results are materialised by JSON.parse of validated text.
import { ok, equal, deepEqual, throws } from './assert.mjs';

const HASH = 'dGhpcyBpcyBhIGhhc2g';
const body = (resources, extra = {}) => JSON.stringify({ status: 'SUCCESS', data: { hash: HASH, resources }, ...extra });
const MODELS = [
  { model: 'o3', modality: 'text', availableRunOptions: [{ key: 'reasoningEffort', options: ['low', 'medium', 'high'] }] },
  { model: 'sora-2', modality: 'video', availableRunOptions: [{ key: 'seconds', options: ['4', '8'] }] },
];

export const tests = [
  {
    name: 'parseResources returns hash, resources and warnings from a string',
    run({ lib }) {
      const result = lib.parseResources(body({ models: MODELS, prompts: [] }));
      deepEqual(Object.keys(result).sort(), ['hash', 'resources', 'warnings']);
      equal(result.hash, HASH);
      deepEqual(result.resources.models, MODELS);
      deepEqual(result.resources.prompts, []);
      deepEqual(result.warnings, ['data.resources.prompts: unknown section (kept)']);
    },
  },
  {
    name: 'parseResources reads Uint8Array and ArrayBuffer bodies, with or without a BOM',
    run({ lib }) {
      const text = body({ models: MODELS });
      const expected = lib.parseResources(text);
      const bytes = new TextEncoder().encode(text);
      deepEqual(lib.parseResources(bytes), expected);
      deepEqual(lib.parseResources(bytes.buffer), expected);
      deepEqual(lib.parseResources(`\uFEFF${text}`), expected);
      deepEqual(lib.parseResources(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes])), expected);
    },
  },
  {
    name: 'parseResources throws INVALID_RESPONSE at the first failing path',
    run({ lib }) {
      const models = [MODELS[0], { model: 'x', modality: 'text', availableRunOptions: [{ key: 'k', options: ['a', 7] }] }];
      const error = throws(() => lib.parseResources(body({ models })));
      ok(error instanceof lib.ResourcesError, 'instanceof ResourcesError');
      equal(error.code, 'INVALID_RESPONSE');
      equal(error.path, 'data.resources.models[1].availableRunOptions[0].options[1]');
      equal(throws(() => lib.parseResources('{"status":"SUCCESS",')).code, 'INVALID_RESPONSE');
      equal(throws(() => lib.parseResources(new Uint8Array([0x7b, 0xff, 0x7d]))).code, 'INVALID_RESPONSE');
    },
  },
  {
    name: 'parseResources in strict mode turns the first warning into an error',
    run({ lib }) {
      const text = body({ models: [{ model: 'v', modality: 'audio', availableRunOptions: [] }] });
      equal(lib.parseResources(text).warnings.length, 1);
      const error = throws(() => lib.parseResources(text, { strict: true }));
      equal(error.code, 'INVALID_RESPONSE');
      equal(error.path, 'data.resources.models[0].modality');
    },
  },
  {
    name: 'parseResources reports an error envelope by its code',
    run({ lib }) {
      const error = throws(() => lib.parseResources('{"status":"UNAUTHORIZED_ERROR","message":"bad key","data":null}'));
      equal(error.code, 'UNAUTHORIZED_ERROR');
      equal(error.message.includes('bad key'), true);
    },
  },
  {
    name: 'parseResources refuses other body types and unknown options',
    run({ lib }) {
      equal(throws(() => lib.parseResources(42)).code, 'INVALID_OPTIONS');
      equal(throws(() => lib.parseResources(null)).code, 'INVALID_OPTIONS');
      equal(throws(() => lib.parseResources(body({ models: [] }), { strcit: true })).code, 'INVALID_OPTIONS');
    },
  },
  {
    name: 'parseResources refuses a body over maxBytes (32 MiB by default) before reading it',
    run({ lib }) {
      const text = body({ models: [] });
      const bytes = new TextEncoder().encode(text);
      equal(lib.parseResources(text, { maxBytes: text.length }).hash, lib.parseResources(text).hash, 'a body of exactly maxBytes');
      for (const [what, value] of [['a string', text], ['a Uint8Array', bytes], ['an ArrayBuffer', bytes.buffer]]) {
        const error = throws(() => lib.parseResources(value, { maxBytes: text.length - 1 }));
        equal(error.code, 'RESPONSE_TOO_LARGE', what);
        equal(error.message.includes(`maxBytes (${text.length - 1} bytes)`), true, error.message);
      }
      // Counted in UTF-8 bytes: "é" is one UTF-16 unit and two bytes.
      const accented = body({ models: [] }, { note: '\u00e9\u00e9' });
      const utf8 = new TextEncoder().encode(accented).length;
      equal(accented.length < utf8, true);
      equal(throws(() => lib.parseResources(accented, { maxBytes: accented.length })).code, 'RESPONSE_TOO_LARGE');
      // The default: 32 MiB.
      const big = `{"status":"SUCCESS","data":{"hash":"YQ","resources":{"models":[]}},"pad":"${'x'.repeat(32 * 1024 * 1024)}"}`;
      equal(throws(() => lib.parseResources(big)).code, 'RESPONSE_TOO_LARGE');
      equal(lib.parseResources(big, { maxBytes: big.length }).hash, 'YQ');
      for (const bad of [-1, 1.5, Number.NaN, '10', 2 ** 41]) {
        equal(throws(() => lib.parseResources(text, { maxBytes: bad })).code, 'INVALID_OPTIONS', String(bad));
      }
    },
  },
  {
    name: 'parseResources keeps __proto__ keys as plain data',
    run({ lib }) {
      const text = '{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[{"model":"__proto__","modality":"text",'
        + '"availableRunOptions":[],"__proto__":{"polluted":true}}],"__proto__":{"polluted":true}}}}';
      const result = lib.parseResources(text);
      equal({}.polluted, undefined);
      equal(Object.getPrototypeOf(result.resources), Object.prototype);
      ok(Object.prototype.hasOwnProperty.call(result.resources, '__proto__'), 'own __proto__ section');
      equal(result.resources.polluted, undefined);
      equal(result.resources.models[0].model, '__proto__');
      ok(result.warnings.includes('data.resources.__proto__: unknown section (kept)'), result.warnings.join('; '));
    },
  },
  {
    name: 'lone surrogates in a string body do not reach the result unvalidated',
    run({ lib }) {
      // TextEncoder would turn the lone surrogate into U+FFFD; the result must be what was validated.
      // (JSON.stringify would escape it as \ud800, which is invalid: build the text by hand.)
      const text = `{"status":"SUCCESS","data":{"hash":"h","resources":{"models":[{"model":"a\uD800b","modality":"text","availableRunOptions":[]}]}}}`;
      equal(lib.parseResources(text).resources.models[0].model, 'a\uFFFDb');
    },
  },
  {
    name: 'cached() returns fresh objects equal to the fetched catalog',
    async run({ lib, options }) {
      const text = body({ models: MODELS, limits: { requestsPerSecond: 5 } });
      const client = new lib.ResourcesClient(options({
        storage: 'memory',
        fetch: async () => new Response(text, { status: 200, headers: { 'content-type': 'application/json' } }),
      }));
      equal(client.cached(), null);
      const fetched = await client.fetchResources();
      const first = client.cached();
      deepEqual(first.resources, fetched.resources);
      equal(first.hash, HASH);
      equal(first.source, 'cache');
      equal(first.changed, false);
      equal(first.previousHash, HASH);
      equal(first.fetchedAt, fetched.fetchedAt);
      equal(first.stale, false);
      // (Warnings of a stored record name paths from the record's root: resources.limits.)
      equal(first.warnings.length, fetched.warnings.length);
      first.resources.models.pop();
      equal(client.cached().resources.models.length, 2, 'a caller mutating a result does not change the next one');
    },
  },
];
