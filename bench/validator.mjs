// (b) of the benchmark: JSON.parse plus a careful hand-written validator with
// the rules of src/core/parse.rs (structural errors at the first failing path,
// warnings for additive surprises, strict mode, at most 50 warnings). What a
// JS developer who cared would write instead of using this package.

const MAX_WARNINGS = 50;
const HASH = /^[A-Za-z0-9_-]+={0,2}$/;
const KNOWN_MODALITIES = new Set(['text', 'image', 'video']);

class Invalid extends Error {
  constructor(path, message) {
    super(`invalid response at ${path}: ${message}`);
    this.code = 'INVALID_RESPONSE';
    this.path = path;
  }
}

const kind = (v) =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object'
    : typeof v === 'string' ? 'a string' : typeof v === 'number' ? 'a number' : 'a boolean';
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

function field(o, key, path, type) {
  if (!has(o, key)) throw new Invalid(path, 'missing');
  const v = o[key];
  const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? isObject(v) : typeof v === type;
  if (!ok) throw new Invalid(path, `expected ${type === 'array' ? 'an array' : type === 'object' ? 'an object' : 'a string'}, got ${kind(v)}`);
  return v;
}

/** Validates a parsed body; returns `{ hash, resources, warnings }` or throws. */
export function validate(root, strict = false) {
  const warnings = [];
  let omitted = 0;
  const warn = (path, message) => {
    if (strict) throw new Invalid(path, `${message} (strict mode)`);
    if (warnings.length < MAX_WARNINGS) warnings.push(`${path}: ${message}`);
    else omitted += 1;
  };
  const unknown = (o, known, prefix, what) => {
    let keys = null;
    for (const k in o) {
      if (!known.includes(k)) (keys ??= []).push(k);
    }
    if (keys) for (const k of keys.sort()) warn(`${prefix}${k}`, what);
  };
  if (!isObject(root)) throw new Invalid(undefined, `expected a JSON object, got ${kind(root)}`);
  const status = field(root, 'status', 'status', 'string');
  if (status === '') throw new Invalid('status', 'empty');
  if (status !== 'SUCCESS') throw Object.assign(new Error(root.message || `the server answered ${status}`), { code: status });
  const data = field(root, 'data', 'data', 'object');
  unknown(root, ['status', 'data', 'message'], '', 'unknown field (kept out)');
  const hash = field(data, 'hash', 'data.hash', 'string');
  if (hash.length === 0 || hash.length > 256 || !HASH.test(hash)) throw new Invalid('data.hash', 'not base64url');
  const resources = field(data, 'resources', 'data.resources', 'object');
  const models = field(resources, 'models', 'data.resources.models', 'array');
  const seen = new Set();
  for (let i = 0; i < models.length; i += 1) {
    const at = `data.resources.models[${i}]`;
    const m = models[i];
    if (!isObject(m)) throw new Invalid(at, `expected an object, got ${kind(m)}`);
    const id = field(m, 'model', `${at}.model`, 'string');
    if (id === '') throw new Invalid(`${at}.model`, 'empty model id');
    const modality = field(m, 'modality', `${at}.modality`, 'string');
    if (!KNOWN_MODALITIES.has(modality)) warn(`${at}.modality`, `unknown modality "${modality}" (kept)`);
    const options = field(m, 'availableRunOptions', `${at}.availableRunOptions`, 'array');
    const keys = [];
    for (let j = 0; j < options.length; j += 1) {
      const op = `${at}.availableRunOptions[${j}]`;
      const o = options[j];
      if (!isObject(o)) throw new Invalid(op, `expected an object, got ${kind(o)}`);
      const key = field(o, 'key', `${op}.key`, 'string');
      if (key === '') throw new Invalid(`${op}.key`, 'empty option key');
      const values = field(o, 'options', `${op}.options`, 'array');
      for (let k = 0; k < values.length; k += 1) {
        const v = values[k];
        if (typeof v !== 'string') throw new Invalid(`${op}.options[${k}]`, `expected a string, got ${kind(v)}`);
        if (values.indexOf(v) < k) warn(`${op}.options[${k}]`, `duplicate value "${v}" (kept)`);
      }
      unknown(o, ['key', 'options'], `${op}.`, 'unknown field (kept)');
      if (keys.includes(key)) warn(`${op}.key`, `duplicate option key "${key}" (kept)`);
      keys.push(key);
    }
    unknown(m, ['model', 'modality', 'availableRunOptions'], `${at}.`, 'unknown field (kept)');
    if (seen.has(id)) warn(`${at}.model`, `duplicate model id "${id}" (kept)`);
    else seen.add(id);
  }
  unknown(resources, ['models'], 'data.resources.', 'unknown section (kept)');
  unknown(data, ['hash', 'resources'], 'data.', 'unknown field (kept out)');
  if (omitted > 0) warnings.push(`... and ${omitted} more warnings`);
  return { hash, resources, warnings };
}

/** (b): from the body text to the validated result. */
export function parseAndValidate(text, strict = false) {
  return validate(JSON.parse(text), strict);
}
