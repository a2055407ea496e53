// A module service worker that imports the package's default entry (registered
// by service-worker.html). Browsers refuse to start a service worker with a
// top-level await anywhere in its module graph, so this worker starting at all
// is half the test; it answers a message with the catalog it fetched.
import { fetchResources, ResourcesError } from '/pkg/index.js';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('message', async (event) => {
  const port = event.ports[0];
  try {
    const r = await fetchResources({ baseUrl: event.data.api, apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true, storage: 'memory' });
    port.postMessage({ failures: [], hash: r.hash, models: r.resources.models.map((m) => m.model) });
  } catch (e) {
    port.postMessage({ failures: [`${e instanceof ResourcesError ? e.code : 'not a ResourcesError'}: ${e?.message}`] });
  }
});
