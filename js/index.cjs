'use strict';
// Entry for Node.js (require): the wasm module is compiled synchronously at load.
const wasm = require('./node/resources_client.js');
const { ResourcesError } = require('./errors.cjs');

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
module.exports = {
  ResourcesClient: wasm.ResourcesClient,
  fetchResources: wasm.fetchResources,
  validateRunOptions: wasm.validateRunOptions,
  findModel: wasm.findModel,
  modelsByModality: wasm.modelsByModality,
  runOptionKeys: wasm.runOptionKeys,
  diffResources: wasm.diffResources,
  ResourcesError,
};
