// A module service worker that keeps the catalog where a service worker can:
// the default store there is IndexedDB (no localStorage). It answers a message
// with the catalog once its record is written, so the browser may stop it at once.
import { ResourcesClient, ResourcesError } from '/pkg/index.js';
import { storedText } from './package-database.js';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('message', (event) => {
  const port = event.ports[0];
  event.waitUntil((async () => {
    try {
      const { api, storageKey } = event.data;
      const client = new ResourcesClient({ baseUrl: api, apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true, storageKey, maxAgeMs: 600_000, retries: 0 });
      const r = await client.fetchResources();
      // The record reaches IndexedDB asynchronously: the answer waits for it (bounded: 100 x 20 ms).
      for (let i = 0; i < 100 && !(await stored(client.storageKey)); i += 1) await new Promise((res) => setTimeout(res, 20));
      port.postMessage({ hash: r.hash, source: r.source });
    } catch (e) {
      port.postMessage({ error: `${e instanceof ResourcesError ? e.code : 'not a ResourcesError'}: ${e?.message}` });
    }
  })());
});

/** Whether the package's database holds a record at `key`. */
async function stored(key) {
  return (await storedText(key)) !== null;
}
