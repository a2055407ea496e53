// Entry for Node.js (import): the same module instance as require() gets.
import cjs from './index.cjs';

export const { ResourcesClient, fetchResources, parseResources, ResourcesError } = cjs;
