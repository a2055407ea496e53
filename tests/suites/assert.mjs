// A tiny assertion module that works in Node and in a browser page alike.

export class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssertionError';
  }
}

const show = (v) => {
  try { return JSON.stringify(v); } catch { return String(v); }
};

export function ok(value, message = `expected a truthy value, got ${show(value)}`) {
  if (!value) throw new AssertionError(message);
}

export function equal(actual, expected, message) {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(message ?? `expected ${show(expected)}, got ${show(actual)}`);
  }
}

export function deepEqual(actual, expected, message) {
  if (show(actual) !== show(expected)) {
    throw new AssertionError(message ?? `expected ${show(expected)},\n     got ${show(actual)}`);
  }
}

/** Awaits `promise`, expects it to reject, and returns the rejection. */
export async function rejects(promise, message = 'expected a rejection') {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new AssertionError(message);
}

/** Calls `fn`, expects it to throw, and returns what it threw. */
export function throws(fn, message = 'expected an exception') {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new AssertionError(message);
}
