// The catalog helpers through the package's exports, in Node and Chromium:
// validateRunOptions (each rule, hostile input), findModel, modelsByModality,
// runOptionKeys and diffResources. The catalog is the mock's realistic one.
import { ok, equal, deepEqual } from './assert.mjs';

/** The mock's default catalog (the realistic fixture), fetched once per test. */
async function catalog({ lib, options, control }) {
  await control.reset();
  return (await lib.fetchResources(options())).resources;
}

const codes = (result) => result.errors.map((e) => e.code);

/** Calls `fn`; fails the test if it throws. */
function noThrow(fn, label) {
  try {
    return fn();
  } catch (error) {
    throw new Error(`${label} threw: ${error?.message ?? error}`);
  }
}

/** Checks that nothing was added to Object.prototype (and cleans up if it was). */
function prototypeIsClean() {
  const leaked = Object.getOwnPropertyNames(Object.prototype).filter((k) => !BASELINE.includes(k));
  for (const k of leaked) delete Object.prototype[k];
  deepEqual(leaked, [], 'Object.prototype gained properties');
  equal({}.polluted, undefined, 'a new object inherits nothing new');
}
const BASELINE = Object.getOwnPropertyNames(Object.prototype);

export const tests = [
  {
    name: 'validateRunOptions accepts options built from the catalog',
    async run(ctx) {
      const r = await catalog(ctx);
      deepEqual(ctx.lib.validateRunOptions(r, 'gpt-image-1', { quality: 'high', size: '1024x1536' }), { ok: true, errors: [] });
      deepEqual(ctx.lib.validateRunOptions(r, 'gpt-4o', {}), { ok: true, errors: [] });
      // No run options at all (null or undefined) is fine.
      equal(ctx.lib.validateRunOptions(r, 'sora-2', null).ok, true);
      equal(ctx.lib.validateRunOptions(r, 'sora-2').ok, true);
      // An undefined value is left out, as JSON.stringify leaves it out of a request.
      equal(ctx.lib.validateRunOptions(r, 'sora-2', { seconds: undefined }).ok, true);
    },
  },
  {
    name: 'validateRunOptions: UNKNOWN_MODEL suggests the nearest id',
    async run(ctx) {
      const r = await catalog(ctx);
      const v = ctx.lib.validateRunOptions(r, 'gpt4o', {});
      equal(v.ok, false);
      deepEqual(v.errors, [{
        key: null, value: 'gpt4o', code: 'UNKNOWN_MODEL',
        message: 'unknown model "gpt4o"; did you mean "gpt-4o"?', suggestion: 'gpt-4o',
      }]);
      equal(ctx.lib.validateRunOptions(r, 'SORA-2', {}).errors[0].suggestion, 'sora-2');
      equal(ctx.lib.validateRunOptions(r, 'llama-3-70b', {}).errors[0].suggestion, undefined);
    },
  },
  {
    name: 'validateRunOptions: UNKNOWN_KEY suggests the nearest key of the model',
    async run(ctx) {
      const r = await catalog(ctx);
      const [e] = ctx.lib.validateRunOptions(r, 'gpt-image-1', { qualty: 'high' }).errors;
      equal(e.code, 'UNKNOWN_KEY');
      equal(e.key, 'qualty');
      equal(e.value, 'high');
      equal(e.suggestion, 'quality');
    },
  },
  {
    name: 'validateRunOptions: INVALID_VALUE lists the allowed values and suggests a case match',
    async run(ctx) {
      const r = await catalog(ctx);
      const [e] = ctx.lib.validateRunOptions(r, 'gemini-3-pro-image-preview', { resolution: '2k' }).errors;
      equal(e.code, 'INVALID_VALUE');
      deepEqual(e.allowed, ['1K', '2K']);
      equal(e.suggestion, '2K');
      const [f] = ctx.lib.validateRunOptions(r, 'gpt-image-1', { quality: 'ultra' }).errors;
      deepEqual(f.allowed, ['low', 'medium', 'high']);
      equal('suggestion' in f, false);
    },
  },
  {
    name: 'validateRunOptions: NOT_A_STRING suggests the string to send only when the model accepts it; never another number',
    async run(ctx) {
      const r = await catalog(ctx);
      const [e] = ctx.lib.validateRunOptions(r, 'sora-2', { seconds: 8 }).errors;
      equal(e.code, 'NOT_A_STRING');
      equal(e.value, 8, 'the value as given, still a number');
      equal(e.suggestion, '8');
      deepEqual(e.allowed, ['4', '8']);
      ok(e.message.endsWith('; send "8"'), e.message);
      const [b] = ctx.lib.validateRunOptions(r, 'sora-2', { seconds: true }).errors;
      equal(b.code, 'NOT_A_STRING');
      equal('suggestion' in b, false, '"true" is not a number of seconds');
      // 5 seconds is not 4: nothing to apply, and no "send".
      const [five] = ctx.lib.validateRunOptions(r, 'sora-2', { seconds: 5 }).errors;
      equal('suggestion' in five, false);
      ok(!/send|did you mean/.test(five.message), five.message);
      const [size] = ctx.lib.validateRunOptions(r, 'gpt-image-1', { size: 1024 }).errors;
      equal('suggestion' in size, false, '"1024" is not an accepted size');
      // Every suggestion, applied, validates.
      for (const [model, options] of [['sora-2', { seconds: 8 }], ['gemini-3-pro-image-preview', { resolution: '2k' }], ['gpt-image-1', { size: '1024X1536' }]]) {
        const [err] = ctx.lib.validateRunOptions(r, model, options).errors;
        const key = Object.keys(options)[0];
        ok(ctx.lib.validateRunOptions(r, model, { [key]: err.suggestion }).ok, `${model} ${key}: ${err.suggestion}`);
      }
      const given = ['4'];
      const [a] = ctx.lib.validateRunOptions(r, 'sora-2', { seconds: given }).errors;
      equal(a.code, 'NOT_A_STRING');
      equal(a.value, given, 'the same array object');
    },
  },
  {
    name: 'validateRunOptions: a number in a message is written as String(n) writes it',
    async run(ctx) {
      const r = await catalog(ctx);
      // Fractions and numbers from 1e21 on: the shortest digits that read back, placed as JavaScript places them.
      const numbers = [1.5, -0.5, 0.1 + 0.2, 1 / 3, 1e-6, 1.5e-6, 1e-7, 2 ** -25, 5e-324, 1e21, 1.5e21, 2 ** 70, 1.7976931348623157e308, 123.456];
      let seed = 7;
      for (let i = 0; i < 200; i += 1) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        numbers.push((seed / 2147483648) * 10 ** ((seed % 60) - 30));
      }
      for (const n of numbers) {
        if (Number.isInteger(n) && Math.abs(n) < 1e21) continue;
        const [e] = ctx.lib.validateRunOptions(r, 'sora-2', { seconds: n }).errors;
        equal(e.code, 'NOT_A_STRING');
        equal('suggestion' in e, false, 'no other number is suggested');
        ok(e.message.endsWith(`got the number ${String(n)}`), e.message);
      }
      // NaN is sent as null by JSON.stringify, and has no string to suggest; the value is still the one given.
      const [nan] = ctx.lib.validateRunOptions(r, 'sora-2', { seconds: NaN }).errors;
      equal(nan.code, 'NOT_A_STRING');
      ok(Number.isNaN(nan.value));
      equal('suggestion' in nan, false);
    },
  },
  {
    name: 'validateRunOptions and diffResources answer with plain objects and arrays',
    async run(ctx) {
      const r = await catalog(ctx);
      const plain = (v) => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
      const v = ctx.lib.validateRunOptions(r, 'sora-2', { seconds: 8, size: 'huge' });
      ok(plain(v) && Array.isArray(v.errors) && v.errors.every(plain), 'validation result');
      ok(Array.isArray(v.errors[0].allowed));
      const bad = ctx.lib.validateRunOptions(5, 'sora-2', {});
      ok(plain(bad) && plain(bad.errors[0]), 'INVALID_INPUT result');
      const after = JSON.parse(JSON.stringify(r));
      after.models[0].modality = 'video';
      after.models[0].availableRunOptions = [{ key: 'k', options: ['v'] }];
      const d = ctx.lib.diffResources(r, after);
      ok(plain(d) && plain(d.changed[0]) && plain(d.changed[0].options), 'diff result');
      ok(Array.isArray(d.changed[0].modality));
      const e = ctx.lib.diffResources(r, 5);
      ok(plain(e) && plain(e.error), 'diff error');
    },
  },
  {
    name: 'validateRunOptions: a hostile model entry (getter, cycle, BigInt) is INVALID_INPUT when it is the one checked',
    async run(ctx) {
      const { validateRunOptions } = ctx.lib;
      const getter = { model: 'm', modality: 'text' };
      Object.defineProperty(getter, 'availableRunOptions', { enumerable: true, get() { throw new Error('boom'); } });
      const cyclic = { model: 'm', modality: 'text', availableRunOptions: [] };
      cyclic.availableRunOptions.push({ key: 'k', options: cyclic.availableRunOptions });
      const bigint = { model: 'm', modality: 'text', availableRunOptions: [{ key: 'k', options: [1n] }] };
      const wrong = { model: 'm', modality: 'text', availableRunOptions: [{ key: 'k', options: [1] }] };
      for (const entry of [getter, cyclic, bigint, wrong]) {
        const v = noThrow(() => validateRunOptions({ models: [entry] }, 'm', { k: 'x' }), 'hostile model');
        deepEqual(codes(v), ['INVALID_INPUT']);
        ok(v.errors[0].message.startsWith('resources.models[0]'), v.errors[0].message);
        // Another model of the same catalog is checked normally.
        deepEqual(codes(validateRunOptions({ models: [entry, { model: 'n', modality: 'text', availableRunOptions: [] }] }, 'n', {})), []);
      }
    },
  },
  {
    name: 'validateRunOptions: DUPLICATE_KEY for a key given twice in different case',
    async run(ctx) {
      const r = await catalog(ctx);
      const v = ctx.lib.validateRunOptions(r, 'gpt-image-1', { Quality: 'low', quality: 'high' });
      deepEqual(codes(v), ['DUPLICATE_KEY']);
      equal(v.errors[0].key, 'Quality');
      equal(v.errors[0].suggestion, 'quality');
    },
  },
  {
    name: 'validateRunOptions: INVALID_INPUT for what is not a catalog or not run options, never a throw',
    async run(ctx) {
      const r = await catalog(ctx);
      const { validateRunOptions } = ctx.lib;
      for (const bad of [null, undefined, 0, 'catalog', [], [r], { models: 'x' }, { models: {} }, () => {}]) {
        const v = noThrow(() => validateRunOptions(bad, 'o3', {}), `resources ${String(bad)}`);
        deepEqual(codes(v), ['INVALID_INPUT'], `resources ${String(bad)}`);
        equal(v.ok, false);
      }
      // A whole ResourcesResult instead of its resources: the message says what to pass.
      const [e] = validateRunOptions({ resources: r }, 'o3', {}).errors;
      ok(e.message.includes('result.resources'), e.message);
      for (const bad of [[], ['reasoningEffort'], 5, 'low', true, new Map([['reasoningEffort', 'low']]), Object.create({ reasoningEffort: 'low' })]) {
        deepEqual(codes(noThrow(() => validateRunOptions(r, 'o3', bad), 'runOptions')), ['INVALID_INPUT'], `runOptions ${String(bad)}`);
      }
      for (const bad of [null, undefined, 3, {}, ['o3']]) {
        deepEqual(codes(validateRunOptions(r, bad, {})), ['INVALID_INPUT'], `model ${String(bad)}`);
      }
      // Prototype-less objects are plain objects.
      const bare = Object.create(null);
      bare.reasoningEffort = 'low';
      equal(validateRunOptions(r, 'o3', bare).ok, true);
    },
  },
  {
    name: 'validateRunOptions: prototype-ish keys are plain unknown keys and pollute nothing',
    async run(ctx) {
      const r = await catalog(ctx);
      const hostile = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "hasOwnProperty": "x", "toString": 1}');
      const v = noThrow(() => ctx.lib.validateRunOptions(r, 'gpt-image-1', hostile), 'hostile keys');
      deepEqual(v.errors.map((e) => [e.key, e.code]), [
        ['__proto__', 'UNKNOWN_KEY'], ['constructor', 'UNKNOWN_KEY'], ['hasOwnProperty', 'UNKNOWN_KEY'], ['toString', 'UNKNOWN_KEY'],
      ]);
      equal(v.errors[0].value, hostile.__proto__, 'the own __proto__ value, as given');
      // Model ids that look like Object.prototype members are unknown models, not inherited ones.
      for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
        deepEqual(codes(ctx.lib.validateRunOptions(r, id, {})), ['UNKNOWN_MODEL'], id);
      }
      // A catalog whose model is called __proto__ with a key called __proto__ works like any other.
      const odd = JSON.parse('{"models": [{"model": "__proto__", "modality": "text", "availableRunOptions": [{"key": "__proto__", "options": ["a"]}]}]}');
      equal(ctx.lib.validateRunOptions(odd, '__proto__', JSON.parse('{"__proto__": "a"}')).ok, true);
      prototypeIsClean();
    },
  },
  {
    name: 'validateRunOptions: throwing getters, proxies and broken catalogs give INVALID_INPUT',
    async run(ctx) {
      const r = await catalog(ctx);
      const { validateRunOptions } = ctx.lib;
      const throwing = Object.defineProperty({}, 'models', { enumerable: true, get() { throw new Error('boom'); } });
      deepEqual(codes(noThrow(() => validateRunOptions(throwing, 'o3', {}), 'getter')), ['INVALID_INPUT']);
      const keysThrow = new Proxy({}, { ownKeys() { throw new Error('boom'); } });
      deepEqual(codes(noThrow(() => validateRunOptions(r, 'o3', keysThrow), 'ownKeys')), ['INVALID_INPUT']);
      const valueThrows = Object.defineProperty({}, 'reasoningEffort', { enumerable: true, get() { throw new Error('boom'); } });
      deepEqual(codes(noThrow(() => validateRunOptions(r, 'o3', valueThrows), 'value getter')), ['INVALID_INPUT']);
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      deepEqual(codes(noThrow(() => validateRunOptions(proxy, 'o3', {}), 'revoked resources')), ['INVALID_INPUT']);
      deepEqual(codes(noThrow(() => validateRunOptions(r, 'o3', proxy), 'revoked options')), ['INVALID_INPUT']);
      const broken = { models: [null, 7, { model: 'm', modality: 'text', availableRunOptions: 'no' }] };
      deepEqual(codes(noThrow(() => validateRunOptions(broken, 'm', {}), 'broken model')), ['INVALID_INPUT']);
      deepEqual(codes(validateRunOptions(broken, 'x', {})), ['UNKNOWN_MODEL']);
    },
  },
  {
    name: 'findModel, modelsByModality and runOptionKeys return the input objects',
    async run(ctx) {
      const r = await catalog(ctx);
      const { findModel, modelsByModality, runOptionKeys } = ctx.lib;
      equal(findModel(r, 'sora-2'), r.models.find((m) => m.model === 'sora-2'), 'the same object');
      equal(findModel(r, 'SORA-2'), undefined);
      equal(findModel(r, '__proto__'), undefined);
      const images = modelsByModality(r, 'image');
      deepEqual(images.map((m) => m.model), ['gpt-image-1', 'gemini-3-pro-image-preview']);
      ok(images.every((m) => r.models.includes(m)), 'the input objects');
      deepEqual(modelsByModality(r, 'audio'), []);
      deepEqual(runOptionKeys(r), [
        { key: 'aspectRatio', models: ['gemini-3-pro-image-preview'] },
        { key: 'quality', models: ['gpt-image-1'] },
        { key: 'reasoningEffort', models: ['o3', 'gpt-5'] },
        { key: 'resolution', models: ['gemini-3-pro-image-preview'] },
        { key: 'seconds', models: ['sora-2'] },
        { key: 'size', models: ['gpt-image-1', 'sora-2'] },
      ]);
    },
  },
  {
    name: 'lookups never throw on hostile input',
    async run({ lib }) {
      const { findModel, modelsByModality, runOptionKeys } = lib;
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      const throwing = Object.defineProperty({}, 'models', { get() { throw new Error('boom'); } });
      for (const bad of [null, undefined, 1, 'x', [], { models: null }, { models: [null, 1, 'x', { model: 5 }] }, proxy, throwing]) {
        equal(noThrow(() => findModel(bad, 'o3'), 'findModel'), undefined);
        deepEqual(noThrow(() => modelsByModality(bad, 'text'), 'modelsByModality'), []);
        deepEqual(noThrow(() => runOptionKeys(bad), 'runOptionKeys'), []);
      }
      const odd = JSON.parse('{"models": [{"model": "m", "modality": "text", "availableRunOptions": [{"key": "__proto__", "options": []}, {"key": "constructor", "options": []}]}]}');
      deepEqual(runOptionKeys(odd), [{ key: '__proto__', models: ['m'] }, { key: 'constructor', models: ['m'] }]);
      prototypeIsClean();
    },
  },
  {
    name: 'diffResources reports added, removed and changed models in a stable order',
    async run(ctx) {
      const before = await catalog(ctx);
      const after = JSON.parse(JSON.stringify(before));
      after.models = after.models.filter((m) => m.model !== 'o3');
      after.models.push({ model: 'gpt-6', modality: 'text', availableRunOptions: [] });
      after.models.find((m) => m.model === 'gpt-4o').modality = 'image';
      const image = after.models.find((m) => m.model === 'gpt-image-1');
      image.availableRunOptions = [
        { key: 'quality', options: ['medium', 'high', 'ultra'] },
        { key: 'background', options: ['transparent'] },
      ];
      deepEqual(ctx.lib.diffResources(before, after), {
        added: ['gpt-6'],
        removed: ['o3'],
        changed: [
          { model: 'gpt-4o', modality: ['text', 'image'], options: { added: [], removed: [], changed: [] } },
          {
            model: 'gpt-image-1',
            options: { added: ['background'], removed: ['size'], changed: [{ key: 'quality', added: ['ultra'], removed: ['low'] }] },
          },
        ],
      });
      deepEqual(ctx.lib.diffResources(before, before), { added: [], removed: [], changed: [] });
    },
  },
  {
    name: 'diffResources from null or undefined adds everything',
    async run(ctx) {
      const r = await catalog(ctx);
      const ids = r.models.map((m) => m.model).sort();
      for (const before of [null, undefined]) {
        deepEqual(ctx.lib.diffResources(before, r), { added: ids, removed: [], changed: [] });
      }
    },
  },
  {
    name: 'diffResources answers invalid input with INVALID_INPUT and empty lists, never a throw',
    async run(ctx) {
      const r = await catalog(ctx);
      const cyclic = { models: [] };
      cyclic.models.push(cyclic);
      const throwing = Object.defineProperty({ models: [] }, 'models', { enumerable: true, get() { throw new Error('boom'); } });
      const bigint = { models: [{ model: 'm', modality: 'text', availableRunOptions: [{ key: 'k', options: [1n] }] }] };
      for (const [before, after] of [[r, null], [r, undefined], [5, r], [r, []], [r, { models: [{ model: 1 }] }], [r, cyclic], [throwing, r], [r, bigint], [{ resources: r }, r]]) {
        const d = noThrow(() => ctx.lib.diffResources(before, after), 'diffResources');
        deepEqual([d.added, d.removed, d.changed], [[], [], []]);
        equal(d.error?.code, 'INVALID_INPUT');
        ok(typeof d.error.message === 'string' && d.error.message.length > 0);
      }
      const hostile = JSON.parse('{"models": [{"model": "__proto__", "modality": "text", "availableRunOptions": []}], "__proto__": {"polluted": 1}}');
      deepEqual(ctx.lib.diffResources(null, hostile), { added: ['__proto__'], removed: [], changed: [] });
      prototypeIsClean();
    },
  },
];
