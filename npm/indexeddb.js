// The 'indexeddb' store: an asynchronous StorageLike over the database
// `resources-client` (object store `records`, keys and values strings). One
// object for the module, so every client of one record shares one entry; the
// database is opened on first use and kept open. Shared by the pages, workers
// and service workers of an origin, so a record a worker stores is there for a
// page after a reload, and for the worker after the browser restarted it.

const DATABASE = 'resources-client';
const RECORDS = 'records';

let opening = null;

function database() {
  if (opening === null) {
    opening = new Promise((resolve, reject) => {
      if (typeof indexedDB !== 'object' || indexedDB === null) {
        reject(new Error('IndexedDB is not available in this runtime'));
        return;
      }
      const request = indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(RECORDS);
      request.onsuccess = () => {
        const db = request.result;
        // Another realm upgrading the database (a later release): let it, and open again next time.
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = () => reject(request.error);
      request.onblocked = () => reject(new Error('IndexedDB is blocked by another connection'));
    });
    // A failed open is tried again by the next call.
    opening.catch(() => { opening = null; });
  }
  return opening;
}

/** Runs `use(objectStore)` in one transaction; resolves with its request's result once committed. */
function transact(mode, use) {
  return database().then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction(RECORDS, mode);
    const request = use(tx.objectStore(RECORDS));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  }));
}

export const indexedDBStorage = {
  getItem: (key) => transact('readonly', (s) => s.get(key)).then((v) => (typeof v === 'string' ? v : null)),
  setItem: (key, value) => transact('readwrite', (s) => s.put(String(value), key)).then(() => undefined),
  removeItem: (key) => transact('readwrite', (s) => s.delete(key)).then(() => undefined),
};

/**
 * Whether this realm is a worker with IndexedDB and no localStorage: IndexedDB is then the default store.
 * `indexedDB` is read last: the first read of it in a page costs milliseconds (Chromium sets it up then).
 */
export function indexedDBByDefault() {
  return typeof localStorage === 'undefined' && typeof WorkerGlobalScope === 'function'
    && globalThis instanceof WorkerGlobalScope && typeof indexedDB === 'object' && indexedDB !== null;
}
