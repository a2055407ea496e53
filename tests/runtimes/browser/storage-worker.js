// A module worker (started by worker-storage.html) that fetches the catalog
// through the package's default entry with the default store: IndexedDB, since
// a worker has no localStorage. It answers once the record is written, so the
// page may end it at once, as a browser ends an idle worker.
import { ResourcesClient, ResourcesError } from '/pkg/index.js';

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
function stored(key) {
  return new Promise((resolve) => {
    const open = indexedDB.open('resources-client');
    open.onerror = () => resolve(null);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('records')) { db.close(); resolve(null); return; }
      const get = db.transaction('records').objectStore('records').get(key);
      get.onsuccess = () => {
        db.close();
        try { resolve(JSON.parse(get.result).body.data.hash); } catch { resolve(null); }
      };
      get.onerror = () => { db.close(); resolve(null); };
    };
  });
}
