'use strict';
// Entry for Node.js (require): the wasm module is compiled synchronously at load.
const wasm = require('./node/resources_client.js');
const { ResourcesError, guardFreed } = require('./errors.cjs');
const { findModel, modelsByModality, runOptionKeys } = require('./catalog.cjs');

wasm.__registerErrorClass(ResourcesError);
guardFreed(wasm.ResourcesClient);

// The catalog helpers: validateRunOptions and diffResources are wasm exports;
// the three lookups are plain JS (catalog.cjs). index.d.ts declares the surface.
module.exports = {
  ResourcesClient: wasm.ResourcesClient,
  fetchResources: wasm.fetchResources,
  validateRunOptions: wasm.validateRunOptions,
  findModel,
  modelsByModality,
  runOptionKeys,
  diffResources: wasm.diffResources,
  parseResources: wasm.parseResources,
  ResourcesError,
};
