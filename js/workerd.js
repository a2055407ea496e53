// Entry for Cloudflare Workers (the "workerd" export condition, which wrangler
// and the Cloudflare Vite plugin resolve): a Worker imports a .wasm file as a
// compiled WebAssembly.Module, so the module is instantiated synchronously here,
// with no I/O at module scope. The same names as the default entry; no init().
import module from './web/resources_client_bg.wasm';
import { initSync } from './init.js';

initSync({ module });

export {
  ResourcesClient, fetchResources, parseResources, validateRunOptions, diffResources,
  findModel, modelsByModality, runOptionKeys, ResourcesError,
} from './init.js';
