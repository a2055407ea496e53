// Small helpers shared by the portable suites (Node and Chromium alike).
import { AssertionError } from './assert.mjs';

/** A deep copy of the catalog the mock serves by default. */
export async function defaultResources(control) {
  await control.reset();
  return structuredClone((await control.state()).resources);
}

/**
 * Polls `condition` every 10 ms until it returns a truthy value (which is
 * returned). Fails after `limitMs`: a bound so that a broken promise fails the
 * test instead of hanging it, not a measurement of speed.
 */
export async function waitFor(condition, what, limitMs = 5000) {
  const start = Date.now();
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() - start > limitMs) throw new AssertionError(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Settles like `promise`, or fails when it has not settled within `limitMs` (a bound, see waitFor). */
export function within(promise, what, limitMs = 5000) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new AssertionError(`${what} did not settle within ${limitMs} ms`)), limitMs);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Whether a storage key is a storage's salt (`<storageKey>:salt`), kept beside the records. */
const isSaltKey = (k) => String(k).endsWith(':salt');

/** A StorageLike over a Map that records every call it receives (`calls`)
 * and every value written (`written`): `map`, `calls` and `written` are about
 * records. The salt a client keeps beside the records (`<storageKey>:salt`)
 * is not recorded: with `keepsSalt` it is kept apart in `salts`; by default
 * the storage cannot keep one (as a stub storage), so its clients' scopes are
 * unsalted, those of the memory store, and a test can compute them. */
export function recordingStorage({ keepsSalt = false } = {}) {
  const map = new Map();
  const salts = new Map();
  const calls = [];
  const written = [];
  return {
    map,
    salts,
    calls,
    written,
    getItem(k) {
      if (isSaltKey(k)) return salts.get(k) ?? null;
      calls.push(['getItem', k]);
      return map.has(k) ? map.get(k) : null;
    },
    setItem(k, v) {
      if (isSaltKey(k)) return void (keepsSalt && salts.set(k, String(v)));
      calls.push(['setItem', k, v]);
      written.push(String(v));
      map.set(k, String(v));
    },
    removeItem(k) {
      calls.push(['removeItem', k]);
      map.delete(k);
    },
  };
}

/** A StorageLike whose every method throws, like storage in a locked-down browser. */
export function throwingStorage() {
  const fail = () => {
    const e = new Error('The operation is insecure.');
    e.name = 'SecurityError';
    throw e;
  };
  return { getItem: fail, setItem: fail, removeItem: fail };
}

/** A `Response` with the given status and headers and an empty body. */
export function responseWith(status, headers = {}) {
  const nullBody = [101, 103, 204, 205, 304].includes(status);
  return new Response(nullBody ? null : '{}', { status, headers });
}
