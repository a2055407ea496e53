// A module worker (started by worker-storage.html) that fetches the catalog
// through the package's default entry with the default store: IndexedDB, since
// a worker has no localStorage. It answers once the record is written, so the
// page may end it at once, as a browser ends an idle worker.
import { ResourcesClient, ResourcesError } from '/pkg/index.js';
import { storedText } from './package-database.js';

self.onmessage = async (event) => {
  const { api, storageKey, refresh } = event.data;
  try {
    const client = new ResourcesClient({ baseUrl: api, apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true, storageKey, maxAgeMs: 600_000, retries: 0 });
    const r = await client.fetchResources({ refresh });
    const key = client.storageKey;
    // The record reaches IndexedDB asynchronously: wait until it is there (bounded: 100 x 20 ms).
    for (let i = 0; i < 100 && (await stored(key)) !== r.hash; i += 1) await new Promise((res) => setTimeout(res, 20));
    self.postMessage({ hash: r.hash, source: r.source, warnings: r.warnings, key, stored: await stored(key) });
  } catch (e) {
    self.postMessage({ error: `${e instanceof ResourcesError ? e.code : 'not a ResourcesError'}: ${e?.message}` });
  }
};

/** The hash of the record at `key` in the package's IndexedDB database, read directly. */
async function stored(key) {
  try {
    return JSON.parse(await storedText(key)).body.data.hash;
  } catch {
    return null;
  }
}
