'use strict';
// Entry for Node.js (require): the module is compiled synchronously at load.
const wasm = require('./node/resources_client.js');
const { ResourcesError } = require('./errors.cjs');

wasm.__registerErrorClass(ResourcesError);

module.exports = {
  ResourcesClient: wasm.ResourcesClient,
  fetchResources: wasm.fetchResources,
  parseResources: wasm.parseResources,
  ResourcesError,
};
