// The package's start, shared by every entry (npm/build.mjs bundles it into
// each): the module, started once from a compiled module or its bytes (and
// again after a trap, npm/instance.js), and the public calls. No entry awaits
// anything at import: an entry that starts the module at import (the default
// one, Node's, Workers') keeps a failure for the calls, so the import itself
// never fails because of the WebAssembly; the explicit-init entry starts it
// when `init` is called. Until the module is started, every call is a
// ResourcesError: `INIT_FAILED` with the reason when a start failed,
// `NOT_INITIALIZED` before `init`.
import { ResourcesError, freedError } from './errors.js';
import { ClientStore } from './store.js';
import { indexedDBStorage, indexedDBByDefault } from './indexeddb.js';
import { live, start, started } from './instance.js';

/** Why the module could not be started: `{ message, cause, status }`, or null. */
let failure = null;

const detail = (e) => (e && typeof e === 'object' && 'message' in e ? String(e.message) : String(e));

/** What every start of the glue needs, after a trap too. */
function setUp(glue) {
  glue.__registerErrorClass(ResourcesError);
  // Records too large for localStorage go to IndexedDB (opened only then: where
  // there is none, that write fails like any other and the record stays in memory).
  glue.__registerOverflowStore(indexedDBStorage);
}

/** Instantiates the module from a WebAssembly.Module or its bytes (throws on failure). */
function startSync(module) {
  start(module, setUp);
  failure = null;
}

/**
 * Starts the module at import, from what `load()` returns; never throws. A
 * failure (no WebAssembly, a Content-Security-Policy without
 * 'wasm-unsafe-eval', a missing file) is kept and handed to every call.
 * `where` says where the module came from, for the message.
 */
export function startAtImport(load, where) {
  try {
    startSync(load());
  } catch (e) {
    failure = { message: `the WebAssembly module (${where}) could not be started: ${detail(e)}`, cause: e, status: 0 };
  }
}

/** The error of a call made while the module is not started. */
function unavailable(call) {
  if (failure !== null) {
    const error = new ResourcesError(`${call}: ${failure.message}`, { code: 'INIT_FAILED', status: failure.status, cause: failure.cause });
    return error;
  }
  return new ResourcesError(
    `${call} was called before the WebAssembly module was loaded: with "resources-client/init", `
      + 'await init() (or call initSync({ module })) first', { code: 'NOT_INITIALIZED' });
}

/**
 * Options as given, with `onAttempt` wrapped so that the store hears the last
 * attempt of every request (the end of a background refresh). Anything that is
 * not a plain options object goes on untouched, for the client to judge.
 */
function withAttemptsFor(store, options) {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return options;
  const hook = options.onAttempt;
  if (hook !== undefined && hook !== null && typeof hook !== 'function') return options;
  return {
    ...options,
    onAttempt(event) {
      if (event.retryInMs === undefined) store.backgroundEnded(event.error ?? null);
      if (typeof hook === 'function') hook(event);
    },
  };
}

// Outside browsers (Node.js, Deno, Bun: the entries for them set this) options
// that omit `apiKey` or `baseUrl` take RESOURCES_API_KEY and RESOURCES_BASE_URL,
// as the command-line tool does; and a client with no key at all fails its calls
// at once instead of sending requests the API will refuse, unless the caller
// says there is none on purpose (`apiKey: null`: a proxy adds it) or handles
// credentials itself (an `authorization` header, its own `fetch`).
let environment = null;

/** Called once by the entries for Node.js, Deno and Bun: `read(name)` gives an environment variable or undefined. */
export function useEnvironment(read) {
  environment = (name) => {
    try {
      const value = read(name);
      return typeof value === 'string' && value !== '' ? value : undefined;
    } catch {
      return undefined; // Deno without --allow-env: as if unset
    }
  };
}

const KEY_VARIABLE = 'RESOURCES_API_KEY';
const BASE_URL_VARIABLE = 'RESOURCES_BASE_URL';

/** Whether `headers` (any form fetch takes) carries an `authorization` header. */
function hasAuthorization(headers) {
  try {
    if (headers === null || typeof headers !== 'object') return false;
    if (typeof headers.has === 'function' && typeof headers.get === 'function' && !(headers instanceof Map)) return headers.has('authorization');
    const names = headers instanceof Map ? [...headers.keys()] : Array.isArray(headers) ? headers.map((p) => p?.[0]) : Object.keys(headers);
    return names.some((n) => typeof n === 'string' && n.toLowerCase() === 'authorization');
  } catch {
    return false;
  }
}

/**
 * The options with the environment's defaults (outside browsers), and whether
 * the client has no credentials at all: `[options, missingKey]`.
 */
function withEnvironment(options) {
  if (environment === null) return [options, false];
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) return [options, false];
  const given = options ?? {};
  const filled = { ...given };
  if (given.apiKey === undefined) {
    const key = environment(KEY_VARIABLE);
    if (key !== undefined) filled.apiKey = key;
  }
  if (given.baseUrl === undefined) {
    const base = environment(BASE_URL_VARIABLE);
    if (base !== undefined) filled.baseUrl = base;
  }
  const missingKey = filled.apiKey === undefined && given.apiKey !== null && given.fetch === undefined
    && !hasAuthorization(given.headers);
  return [filled, missingKey];
}

function missingKeyError() {
  return new ResourcesError(
    `MISSING_API_KEY: no API key: set ${KEY_VARIABLE} in the environment or pass apiKey; `
      + 'pass apiKey: null when a proxy adds the key', { code: 'MISSING_API_KEY' });
}

/**
 * A call of a client without credentials: its options are judged as usual (a
 * bad option is still INVALID_OPTIONS, which outranks the missing key) by the
 * call itself, given an aborted signal so that it sends nothing; then it
 * rejects with MISSING_API_KEY.
 */
function failForMissingKey(call, options) {
  let judged = options;
  if (options === undefined || (options !== null && typeof options === 'object' && !Array.isArray(options))) {
    const own = options?.signal;
    const isSignal = typeof AbortSignal === 'function' && own instanceof AbortSignal;
    judged = { ...options, signal: own === undefined || own === null || isSignal ? AbortSignal.abort() : own };
  }
  return call(judged).then(
    () => { throw missingKeyError(); },
    (e) => { throw e?.code === 'ABORTED' ? missingKeyError() : e; },
  );
}

/**
 * The options with the stores this file provides: `storage: 'indexeddb'`, and
 * IndexedDB by default in workers (no localStorage there). Anything else goes
 * on untouched, for the client to judge.
 */
function withStorage(options) {
  if (options === undefined) return indexedDBByDefault() ? { storage: indexedDBStorage } : options;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return options;
  const { storage } = options;
  if (storage === 'indexeddb' || (storage === undefined && indexedDBByDefault())) {
    return { ...options, storage: indexedDBStorage };
  }
  return options;
}

// While the module's first request is on the network, the code that will judge
// its answer is made ready: engines compile a WebAssembly function on its first
// call, which on a cold page costs milliseconds once the answer is there. A
// tiny catalog through parseResources (the same walk) does it in the wait.
const WARM_BODY = '{"status":"SUCCESS","data":{"hash":"d2FybQ","resources":{"models":[{"model":"w",'
  + '"modality":"text","availableRunOptions":[{"key":"k","options":["a","b"]}]}]}}}';
let warmed = false;
function warmWhileWaiting() {
  if (warmed) return;
  warmed = true;
  setTimeout(() => {
    try {
      live().call((glue) => glue.parseResources(WARM_BODY));
    } catch {
      // Nothing depends on it.
    }
  }, 0);
}

/**
 * The client. Its wasm side lives in the module's current instance; after a
 * trap (npm/instance.js) the next call makes it again in the new instance,
 * from the same options, with the same `onChange`/`onError` listeners: what
 * a client keeps outside wasm memory (its store) carries over.
 */
export class ResourcesClient {
  #options;
  #store;
  #missingKey;
  /** The generation the wasm side was made in (it is kept in `generation.sides`). */
  #generation = null;
  #freed = false;
  /** `{ kind, callback, off }` of each `onChange`/`onError` registration. */
  #listeners = new Set();

  constructor(options, ...rest) {
    if (!started()) throw unavailable('new ResourcesClient()');
    const store = new ClientStore(null);
    const [filled, missingKey] = withEnvironment(options);
    this.#options = [withAttemptsFor(store, withStorage(filled)), ...rest];
    this.#missingKey = missingKey;
    this.#connect(live());
    store.client = {
      cached: () => this.cached(),
      onChange: (cb) => this.onChange(cb),
    };
    this.#store = store;
  }

  /** Makes the wasm side in `generation`, with the listeners registered so far. */
  #connect(generation) {
    const wasm = generation.call((glue) => new glue.ResourcesClient(...this.#options));
    generation.sides.set(this, wasm);
    this.#generation = generation;
    for (const listener of this.#listeners) {
      listener.off = generation.call(() => wasm[listener.kind](listener.callback));
    }
    return wasm;
  }

  /** Runs `use(wasmSide)` in the live instance; `name` is for CLIENT_FREED. */
  #use(name, use) {
    if (this.#freed) throw freedError(name);
    const generation = live();
    const wasm = (generation === this.#generation && generation.sides.get(this)) || this.#connect(generation);
    return generation.call(() => use(wasm));
  }

  /** `#use` of a call that returns a promise: rejected, not thrown, and rejected by a trap while in flight. */
  #useAsync(name, use) {
    try {
      const promise = this.#use(name, use);
      return this.#generation.track(promise);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** An `onChange`/`onError` registration, kept to be made again after a trap. */
  #listen(kind, callback) {
    const off = this.#use(kind, (wasm) => wasm[kind](callback));
    const listener = { kind, callback, off };
    this.#listeners.add(listener);
    return () => {
      if (this.#listeners.delete(listener)) listener.off();
    };
  }

  fetchResources(options) {
    if (this.#freed) return Promise.reject(freedError('fetchResources'));
    if (this.#missingKey) {
      return this.#store.follow(failForMissingKey((o) => this.#useAsync('fetchResources', (w) => w.fetchResources(o)), options));
    }
    const call = this.#store.follow(this.#useAsync('fetchResources', (wasm) => wasm.fetchResources(options)));
    warmWhileWaiting();
    return call;
  }

  cached() {
    return this.#use('cached', (wasm) => wasm.cached());
  }

  ready() {
    return this.#useAsync('ready', (wasm) => wasm.ready());
  }

  get hash() {
    return this.#use('hash', (wasm) => wasm.hash);
  }

  get stale() {
    return this.#use('stale', (wasm) => wasm.stale);
  }

  get storageKey() {
    return this.#use('storageKey', (wasm) => wasm.storageKey);
  }

  agentHeaders() {
    return this.#use('agentHeaders', (wasm) => wasm.agentHeaders());
  }

  observe(response) {
    const asked = this.#use('observe', (wasm) => wasm.observe(response));
    if (asked) this.#store.observed();
    return asked;
  }

  onChange(callback) {
    return this.#listen('onChange', callback);
  }

  onError(callback) {
    return this.#listen('onError', callback);
  }

  clear() {
    return this.#use('clear', (wasm) => wasm.clear());
  }

  /**
   * The store interface of UI frameworks: `listener()` is called whenever the
   * snapshot changes. The first listener starts a `fetchResources()` unless
   * `{ fetch: false }`. Returns a function that unsubscribes.
   */
  subscribe(listener, options) {
    if (this.#freed) throw freedError('subscribe');
    if (typeof listener !== 'function') {
      throw new ResourcesError('invalid options: subscribe needs a function', { code: 'INVALID_OPTIONS' });
    }
    const fetch = !(options !== null && typeof options === 'object' && options.fetch === false);
    return this.#store.subscribe(listener, () => this.fetchResources(), fetch);
  }

  /** `{ data, error, isFetching, isPending }`, frozen: the same object until one of them changes. */
  getSnapshot() {
    if (this.#freed) throw freedError('getSnapshot');
    return this.#store.get();
  }

  /** Lets the client go now (listeners, channels, its part of the module's memory); later calls are CLIENT_FREED. */
  free() {
    if (this.#freed) return;
    this.#freed = true;
    this.#listeners.clear();
    const generation = this.#generation;
    const wasm = generation.sides.get(this);
    generation.sides.delete(this);
    if (wasm && !generation.dead) generation.call(() => wasm.free());
  }

  [Symbol.dispose]() {
    this.free();
  }
}

export function fetchResources(options) {
  if (!started()) return Promise.reject(unavailable('fetchResources()'));
  const [filled, missingKey] = withEnvironment(options);
  const given = withStorage(filled);
  const call = (o) => {
    try {
      const generation = live();
      return generation.track(generation.call((glue) => glue.fetchResources(o)));
    } catch (e) {
      return Promise.reject(e);
    }
  };
  if (missingKey) return failForMissingKey(call, given);
  const result = call(given);
  warmWhileWaiting();
  return result;
}
export function parseResources(...args) {
  if (!started()) throw unavailable('parseResources()');
  return live().call((glue) => glue.parseResources(...args));
}
export function validateRunOptions(...args) {
  if (!started()) throw unavailable('validateRunOptions()');
  return live().call((glue) => glue.validateRunOptions(...args));
}
export function diffResources(...args) {
  if (!started()) throw unavailable('diffResources()');
  return live().call((glue) => glue.diffResources(...args));
}

// The explicit start (`resources-client/init`).

let loading = null;
const WHAT = 'a URL, a Response, the module\'s bytes or a WebAssembly.Module';

function invalid(message) {
  return new ResourcesError(message, { code: 'INVALID_OPTIONS' });
}

function initFailed(message, cause, status) {
  const error = new ResourcesError(message, { code: 'INIT_FAILED', status, cause });
  return error;
}

const isBytes = (x) => x instanceof ArrayBuffer || ArrayBuffer.isView(x)
  || (typeof SharedArrayBuffer === 'function' && x instanceof SharedArrayBuffer);
const isModule = (x) => typeof WebAssembly === 'object' && x instanceof WebAssembly.Module;
const isResponse = (x) => typeof Response === 'function' && x instanceof Response;
const isRequest = (x) => typeof Request === 'function' && x instanceof Request;

/** Bytes or a compiled module from what `init` was given (a URL is fetched, a Response read). */
async function moduleFrom(input) {
  if (input === undefined) {
    // The module sits next to this file, found through import.meta.url; runtimes
    // that give modules no URL (workerd) must be handed the module.
    if (typeof import.meta.url !== 'string' || import.meta.url === '') {
      throw initFailed('this runtime gives modules no URL, so the .wasm cannot be found: '
        + 'pass it to init(input) or initSync({ module }) (see the README\'s "Runtimes")');
    }
    input = new URL('./web/resources_client_bg.wasm', import.meta.url);
  }
  if (input !== null && typeof input === 'object' && typeof input.then === 'function' && !isResponse(input)) {
    input = await input;
  }
  if (typeof input === 'string' || input instanceof URL || isRequest(input)) {
    const url = isRequest(input) ? input.url : String(input);
    try {
      input = await fetch(input);
    } catch (e) {
      throw initFailed(`could not fetch the WebAssembly module from ${url}: ${detail(e)}`, e);
    }
  }
  if (isResponse(input)) {
    if (!input.ok) {
      throw initFailed(`the WebAssembly module's response was HTTP ${input.status}${input.url ? ` (${input.url})` : ''}`,
        undefined, input.status);
    }
    try {
      // Compiled while the bytes stream in where the server says application/wasm.
      const streams = typeof WebAssembly.compileStreaming === 'function'
        && (input.headers.get('content-type') ?? '').split(';')[0].trim() === 'application/wasm';
      return streams ? await WebAssembly.compileStreaming(input) : await input.arrayBuffer();
    } catch (e) {
      throw initFailed(`could not compile the WebAssembly module: ${detail(e)}`, e);
    }
  }
  if (isBytes(input)) {
    try {
      return await WebAssembly.compile(input);
    } catch (e) {
      throw initFailed(`could not compile the WebAssembly module: ${detail(e)}`, e);
    }
  }
  if (isModule(input)) return input;
  throw invalid(`init(input): input must be ${WHAT}, or nothing to load the module next to this file`);
}

/**
 * Loads and instantiates the WebAssembly module; resolves once the package is
 * usable. Calls after the first success resolve at once; concurrent calls share
 * one load; a failed load may be tried again.
 */
export function init(input) {
  if (started()) return Promise.resolve();
  if (loading) return loading;
  loading = (async () => {
    const module = await moduleFrom(input);
    try {
      startSync(module);
    } catch (e) {
      throw initFailed(`could not instantiate the WebAssembly module: ${detail(e)}`, e);
    }
  })().finally(() => { loading = null; });
  return loading;
}

/**
 * Instantiates the module synchronously from `options.module`: a
 * WebAssembly.Module (as Workers import a .wasm) or the module's bytes.
 */
export function initSync(options) {
  if (started()) return;
  const module = options !== null && typeof options === 'object' ? options.module : undefined;
  if (!isBytes(module) && !isModule(module)) {
    throw invalid('initSync(options): options.module must be the module\'s bytes or a WebAssembly.Module');
  }
  try {
    startSync(module);
  } catch (e) {
    throw initFailed(`could not instantiate the WebAssembly module: ${detail(e)}`, e);
  }
}
