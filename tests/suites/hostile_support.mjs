// Helpers shared by the hostile-input suites (hostile*.suite.mjs): storages
// that record or misbehave, a console recorder, and store-intact checks.
import { ok, equal, deepEqual } from './assert.mjs';

export { recordingStorage } from './helpers.mjs';

/** The storage key of a client's record, as the client reports it
 * (`<storageKey>:<scope>:<normalised baseUrl>`; the scope depends on the
 * storage's salt, so it is asked of a client of the options' own storage). */
export const recordKey = (lib, options) => new lib.ResourcesClient(options).storageKey;

/** The scope of a client's record (the part of its storage key after `storageKey`). */
export const recordScope = (lib, options) => recordKey(lib, options).slice(options.storageKey.length + 1).split(':')[0];

/** Records console output while `fn` runs (both Node and the page). */
export async function captureConsole(fn) {
  const lines = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'];
  const saved = methods.map((m) => console[m]);
  for (const m of methods) {
    console[m] = (...args) => {
      lines.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === 'string' ? a : safeJson(a))).join(' '));
    };
  }
  try {
    await fn();
  } finally {
    methods.forEach((m, i) => { console[m] = saved[i]; });
  }
  return lines;
}

function safeJson(v) {
  try { return JSON.stringify(v); } catch { return String(v); }
}

/** What a client holds, to compare before and after a failure. */
export function snapshot(client) {
  return { hash: client.hash, cached: JSON.stringify(client.cached()) };
}

/** The store is untouched by a failed call. */
export function assertIntact(client, before, label = 'store') {
  equal(client.hash, before.hash, `${label}: hash changed`);
  equal(JSON.stringify(client.cached()), before.cached, `${label}: cached() changed`);
}

/** A rejection with this code (and optionally status/path). */
export function assertError(error, code, { status, path } = {}) {
  ok(error && error.name === 'ResourcesError', `expected a ResourcesError, got ${error?.name}: ${error?.message}`);
  equal(error.code, code, `code: ${error.code} (${error.message})`);
  if (status !== undefined) equal(error.status, status, `status of ${error.code}`);
  if (path !== undefined) equal(error.path, path, `path of ${error.code}: ${error.message}`);
}

/** Every own property, deeply, stays free of prototype tricks. */
export function assertPlainData(value, where = 'result') {
  if (value === null || typeof value !== 'object') return;
  const proto = Object.getPrototypeOf(value);
  ok(proto === Object.prototype || proto === Array.prototype, `${where} has an odd prototype`);
  for (const k of Object.keys(value)) assertPlainData(value[k], `${where}.${k}`);
}

export { ok, equal, deepEqual };
