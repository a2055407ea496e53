// A second Worker: nothing is started at module scope; the first request finds
// the package not yet started (every call a ResourcesError NOT_INITIALIZED, a
// wrong init input INVALID_OPTIONS, init() without input INIT_FAILED because
// workerd gives modules no URL), then starts it with `await init(module)` and
// answers with the catalog. tests/runtimes/workerd/run.mjs checks the answer.
import * as lib from 'resources-client/init';
import module from 'resources-client/web/resources_client_bg.wasm';

const outcome = (f) => {
  try {
    const value = f();
    return value instanceof Promise ? value.then(() => ({ ok: true }), describe) : { ok: true };
  } catch (e) {
    return describe(e);
  }
};
const describe = (e) => ({ ok: false, resourcesError: e instanceof lib.ResourcesError, code: e?.code, message: String(e?.message) });

let before = null;

export default {
  async fetch(request, env) {
    if (before === null) {
      before = {
        construct: outcome(() => new lib.ResourcesClient({ baseUrl: env.MOCK_URL })),
        fetchResources: await outcome(() => lib.fetchResources({ baseUrl: env.MOCK_URL })),
        parseResources: outcome(() => lib.parseResources('{}')),
        validateRunOptions: outcome(() => lib.validateRunOptions({ models: [] }, 'o3', {})),
        diffResources: outcome(() => lib.diffResources(null, { models: [] })),
        findModel: outcome(() => lib.findModel({ models: [] }, 'o3')),
        initWithoutInput: await outcome(() => lib.init()),
        initWithNumber: await outcome(() => lib.init(42)),
        initSyncWithoutModule: outcome(() => lib.initSync({})),
        initSyncWithBadBytes: outcome(() => lib.initSync({ module: new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]) })),
      };
      await lib.init(module);
      await lib.init(module);
    }
    const r = await lib.fetchResources({ baseUrl: env.MOCK_URL, apiKey: env.API_KEY, storage: 'memory' });
    return Response.json({ before, hash: r.hash, models: r.resources.models.map((m) => m.model) });
  },
};
