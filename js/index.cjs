'use strict';
// Entry for Node.js (require): the wasm module is compiled synchronously at load.
const wasm = require('./node/resources_client.js');
const { ResourcesError } = require('./errors.cjs');

wasm.__registerErrorClass(ResourcesError);

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
