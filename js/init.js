// Entry with an explicit start (`resources-client/init`), for places where the
// default entry cannot load the .wasm by itself: Cloudflare Workers (no
// `import.meta.url`, no I/O at module scope), pages whose Content-Security-Policy
// decides where the module comes from, bundlers without top-level await.
// Nothing is loaded at import; `await init(input)` or `initSync({ module })`
// instantiates the module once, and every call before that is a ResourcesError
// with code NOT_INITIALIZED. init.d.ts declares the surface.
import wasmInit, * as wasm from './web/resources_client.js';
import { ResourcesError, guardFreed } from './errors.js';

let ready = false;
let loading = null;

const WHAT = 'a URL, a Response, the module\'s bytes or a WebAssembly.Module';

function invalid(message) {
  return new ResourcesError(message, { code: 'INVALID_OPTIONS' });
}

function failed(message, cause) {
  const error = new ResourcesError(message, { code: 'INIT_FAILED' });
  if (cause !== undefined) error.cause = cause;
  return error;
}

function notReady(name) {
  return new ResourcesError(
    `${name} was called before the WebAssembly module was loaded: with "resources-client/init", `
      + 'await init() (or call initSync({ module })) first', { code: 'NOT_INITIALIZED' });
}

const isBytes = (x) => x instanceof ArrayBuffer || ArrayBuffer.isView(x)
  || (typeof SharedArrayBuffer === 'function' && x instanceof SharedArrayBuffer);
const isModule = (x) => typeof WebAssembly === 'object' && x instanceof WebAssembly.Module;
const isResponse = (x) => typeof Response === 'function' && x instanceof Response;
const isRequest = (x) => typeof Request === 'function' && x instanceof Request;
const detail = (e) => (e && typeof e === 'object' && 'message' in e ? String(e.message) : String(e));

function finish() {
  wasm.__registerErrorClass(ResourcesError);
  guardFreed(wasm.ResourcesClient);
  ready = true;
}

/** What the glue's loader gets: a Response, bytes or a module, checked first. */
async function source(input) {
  if (input === undefined) {
    // The module sits next to the glue, found through import.meta.url; runtimes
    // that give modules no URL (workerd) must be handed the module.
    if (typeof import.meta.url !== 'string' || import.meta.url === '') {
      throw failed('this runtime gives modules no URL, so the .wasm cannot be found: '
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
      throw failed(`could not fetch the WebAssembly module from ${url}: ${detail(e)}`, e);
    }
  }
  if (isResponse(input)) {
    if (!input.ok) {
      const error = failed(`the WebAssembly module's response was HTTP ${input.status}${input.url ? ` (${input.url})` : ''}`);
      error.status = input.status;
      throw error;
    }
    return input;
  }
  if (isBytes(input) || isModule(input)) return input;
  throw invalid(`init(input): input must be ${WHAT}, or nothing to load the module next to this file`);
}

/**
 * Loads and instantiates the WebAssembly module; resolves once the package is
 * usable. Calls after the first success resolve at once; concurrent calls share
 * one load; a failed load may be tried again.
 */
export function init(input) {
  if (ready) return Promise.resolve();
  if (loading) return loading;
  loading = (async () => {
    const module = await source(input);
    try {
      await wasmInit({ module_or_path: module });
    } catch (e) {
      throw failed(`could not instantiate the WebAssembly module: ${detail(e)}`, e);
    }
    finish();
  })().finally(() => { loading = null; });
  return loading;
}

/**
 * Instantiates the module synchronously from `options.module`: a
 * WebAssembly.Module (as Workers import a .wasm) or the module's bytes (browsers
 * refuse to compile large bytes synchronously on the main thread: use init()).
 */
export function initSync(options) {
  if (ready) return;
  const module = options !== null && typeof options === 'object' ? options.module : undefined;
  if (!isBytes(module) && !isModule(module)) {
    throw invalid('initSync(options): options.module must be the module\'s bytes or a WebAssembly.Module');
  }
  try {
    wasm.initSync({ module });
  } catch (e) {
    throw failed(`could not instantiate the WebAssembly module: ${detail(e)}`, e);
  }
  finish();
}

// Cloudflare's workerd keeps the Authorization header when fetch follows a
// redirect to another origin; the Fetch standard, browsers, Node.js, Deno and
// Bun drop it. There, a client without a `fetch` option gets one that follows
// redirects itself and drops credentials when the origin changes.
const KEEPS_AUTH_ACROSS_ORIGINS = typeof navigator === 'object' && navigator !== null
  && navigator.userAgent === 'Cloudflare-Workers';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

async function fetchDroppingCredentialsAcrossOrigins(input, init) {
  let request = new Request(input, init);
  for (let hops = 0; ; hops += 1) {
    const response = await fetch(request, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (!REDIRECTS.has(response.status) || location === null) return response;
    if (hops === MAX_REDIRECTS) throw new TypeError(`more than ${MAX_REDIRECTS} redirects`);
    await response.body?.cancel();
    const next = new URL(location, request.url);
    const headers = new Headers(request.headers);
    if (next.origin !== new URL(request.url).origin) {
      for (const name of ['authorization', 'proxy-authorization', 'cookie']) headers.delete(name);
    }
    const keepMethod = response.status === 307 || response.status === 308;
    request = new Request(next, {
      method: keepMethod ? request.method : 'GET',
      headers,
      signal: request.signal,
      ...(request.cache === 'no-store' ? { cache: 'no-store' } : {}),
    });
  }
}

function withSafeRedirects(options) {
  if (!KEEPS_AUTH_ACROSS_ORIGINS) return options;
  if (options === undefined) return { fetch: fetchDroppingCredentialsAcrossOrigins };
  if (options === null || typeof options !== 'object' || options.fetch !== undefined) return options;
  return { ...options, fetch: fetchDroppingCredentialsAcrossOrigins };
}

// The class itself exists before the module; only constructing one needs it.
export class ResourcesClient extends wasm.ResourcesClient {
  constructor(options, ...rest) {
    if (!ready) throw notReady('new ResourcesClient()');
    super(withSafeRedirects(options), ...rest);
  }
}

export function fetchResources(options) {
  return ready ? wasm.fetchResources(withSafeRedirects(options)) : Promise.reject(notReady('fetchResources()'));
}
export function parseResources(...args) {
  if (!ready) throw notReady('parseResources()');
  return wasm.parseResources(...args);
}
export function validateRunOptions(...args) {
  if (!ready) throw notReady('validateRunOptions()');
  return wasm.validateRunOptions(...args);
}
export function diffResources(...args) {
  if (!ready) throw notReady('diffResources()');
  return wasm.diffResources(...args);
}
export { findModel, modelsByModality, runOptionKeys } from './catalog.js';
export { ResourcesError };
