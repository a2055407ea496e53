// Entry for Node.js (import): the same module instance as require() gets, so
// `instanceof ResourcesError` holds across both forms.
import cjs from './index.cjs';

export const {
  ResourcesClient, fetchResources, parseResources, ResourcesError,
  validateRunOptions, findModel, modelsByModality, runOptionKeys, diffResources,
} = cjs;
