// Entry for browsers and bundlers (ESM): loads the wasm module once, at import,
// with top-level await, so no init() call is ever needed. The module sits next
// to the glue (`web/resources_client_bg.wasm`) and is found through
// `new URL(..., import.meta.url)`, a pattern bundlers copy and fingerprint.
import init, * as wasm from './web/resources_client.js';
import { ResourcesError, guardFreed } from './errors.js';

await init();
wasm.__registerErrorClass(ResourcesError);
guardFreed(wasm.ResourcesClient);

// The catalog helpers: validateRunOptions and diffResources are wasm exports;
// the three lookups are plain JS (catalog.js). index.d.ts declares the surface.
export const { ResourcesClient, fetchResources, parseResources, validateRunOptions, diffResources } = wasm;
export { findModel, modelsByModality, runOptionKeys } from './catalog.js';
export { ResourcesError };
