// Entry for browsers and bundlers (ESM): loads the wasm module once, at import,
// with top-level await, so no init() call is ever needed. The module sits next
// to the glue (`web/resources_client_bg.wasm`) and is found through
// `new URL(..., import.meta.url)`, a pattern bundlers copy and fingerprint.
import init, * as wasm from './web/resources_client.js';
import { ResourcesError } from './errors.js';

await init();
wasm.__registerErrorClass(ResourcesError);

// The contract's `hash` is `string | null`; the exported getter gives
// `undefined` before the first hash, so it is normalised here, once.
const hashGetter = Object.getOwnPropertyDescriptor(wasm.ResourcesClient.prototype, 'hash')?.get;
if (hashGetter) {
  Object.defineProperty(wasm.ResourcesClient.prototype, 'hash', {
    configurable: true,
    enumerable: false,
    get() { return hashGetter.call(this) ?? null; },
  });
}

// The catalog helpers are forwarded by name; index.d.ts declares the surface.
export const {
  ResourcesClient, fetchResources,
  validateRunOptions, findModel, modelsByModality, runOptionKeys, diffResources,
} = wasm;
export { ResourcesError };
