// A third Worker, bundled as wrangler bundles one: `import 'resources-client'`
// resolved with the "workerd" export condition, the .wasm left as a module of
// its own. No init call: the workerd entry starts the module at import.
import { ResourcesClient, ResourcesError } from 'resources-client';

export default {
  async fetch(request, env) {
    const client = new ResourcesClient({ baseUrl: env.MOCK_URL, apiKey: env.API_KEY, storage: 'memory' });
    const r = await client.fetchResources();
    let wrongKey = null;
    try {
      await new ResourcesClient({ baseUrl: env.MOCK_URL, apiKey: 'sk-wrong', storage: 'memory' }).fetchResources();
    } catch (e) {
      wrongKey = { resourcesError: e instanceof ResourcesError, code: e.code, status: e.status };
    }
    return Response.json({ hash: r.hash, models: r.resources.models.map((m) => m.model), wrongKey });
  },
};
