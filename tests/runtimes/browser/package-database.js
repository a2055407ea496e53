// Reads the package's IndexedDB database directly, as a test checks what the
// client wrote there: the text stored at `key`, or null.
export function storedText(key) {
  return new Promise((resolve) => {
    const open = indexedDB.open('resources-client');
    open.onerror = () => resolve(null);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('records')) {
        db.close();
        resolve(null);
        return;
      }
      const get = db.transaction('records').objectStore('records').get(key);
      get.onsuccess = () => {
        db.close();
        resolve(typeof get.result === 'string' ? get.result : null);
      };
      get.onerror = () => {
        db.close();
        resolve(null);
      };
    };
  });
}
