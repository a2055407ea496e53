// Entry `resources-client/init` for Node.js (import): the same module instance
// as require('resources-client/init') and require('resources-client').
import cjs from './init.cjs';

export const {
  init, initSync, ResourcesClient, fetchResources, parseResources, ResourcesError,
  validateRunOptions, findModel, modelsByModality, runOptionKeys, diffResources,
} = cjs;
