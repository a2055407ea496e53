'use strict';
// Entry `resources-client/init` for Node.js (require), also taken by Deno and
// Bun: the module is compiled from disk at load, as with the default entry, so
// there is nothing to start. init() and initSync() check their argument (the
// same rules as in browsers) and leave the loaded module in place; everything
// else is the default entry itself, the same classes as require('resources-client').
const lib = require('./index.cjs');

const { ResourcesError } = lib;
const isBytes = (x) => x instanceof ArrayBuffer || ArrayBuffer.isView(x)
  || (typeof SharedArrayBuffer === 'function' && x instanceof SharedArrayBuffer);
const isModule = (x) => typeof WebAssembly === 'object' && x instanceof WebAssembly.Module;
const isResponse = (x) => typeof Response === 'function' && x instanceof Response;
const isRequest = (x) => typeof Request === 'function' && x instanceof Request;
const isThenable = (x) => x !== null && typeof x === 'object' && typeof x.then === 'function';

function init(input) {
  if (input === undefined || typeof input === 'string' || input instanceof URL || isRequest(input)
    || isResponse(input) || isThenable(input) || isBytes(input) || isModule(input)) {
    return Promise.resolve();
  }
  return Promise.reject(new ResourcesError(
    'init(input): input must be a URL, a Response, the module\'s bytes or a WebAssembly.Module, or nothing to load the module next to this file',
    { code: 'INVALID_OPTIONS' }));
}

function initSync(options) {
  const module = options !== null && typeof options === 'object' ? options.module : undefined;
  if (!isBytes(module) && !isModule(module)) {
    throw new ResourcesError('initSync(options): options.module must be the module\'s bytes or a WebAssembly.Module',
      { code: 'INVALID_OPTIONS' });
  }
}

module.exports = { ...lib, init, initSync };
