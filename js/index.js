// Entry for browsers and bundlers: loads the module once, at import.
import init, * as wasm from './web/resources_client.js';
import { ResourcesError } from './errors.js';

await init();
wasm.__registerErrorClass(ResourcesError);

export const { ResourcesClient, fetchResources, parseResources } = wasm;
export { ResourcesError };
