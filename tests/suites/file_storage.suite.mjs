// The file store (`resources-client/file-storage`) in each runtime that has a
// file system (Node.js, Deno, Bun): two stores over one directory (as two
// processes have) make one request in all under maxAgeMs; writers leave a whole
// record; a damaged file is ignored; files are private.
import { ok, equal } from './assert.mjs';

/** The file store of the built package, and a fresh directory for it. */
async function fileStore() {
  const { FileStorage } = await import(new URL('../../pkg/file-storage.mjs', import.meta.url).href);
  const { mkdtempSync, readdirSync, readFileSync, writeFileSync, statSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { platform } = await import('node:process');
  const dir = mkdtempSync(join(tmpdir(), 'resources-client-files-'));
  const files = () => readdirSync(dir).filter((f) => f.endsWith('.record.json')).map((f) => join(dir, f));
  // The file of a record (the salt beside the records has a file of its own).
  const fileOf = (key) => files().find((f) => JSON.parse(readFileSync(f, 'utf8')).key === key);
  const others = () => readdirSync(dir).filter((f) => !f.endsWith('.record.json'));
  return { FileStorage, dir, files, fileOf, others, platform, readFileSync, writeFileSync, statSync };
}

export const tests = [
  {
    name: 'two file stores over one directory (two processes) make one request in all under maxAgeMs; the file is private',
    only: 'node',
    async run({ lib, options, control }) {
      await control.reset();
      const fs = await fileStore();
      const opts = options({ maxAgeMs: 600_000 });
      await control.clearLog();
      const writer = new lib.ResourcesClient({ ...opts, storage: new fs.FileStorage(fs.dir) });
      const first = await writer.fetchResources();
      equal(first.source, 'network');
      const file = fs.fileOf(writer.storageKey);
      ok(file, 'a record file');
      if (fs.platform !== 'win32') equal(fs.statSync(file).mode & 0o777, 0o600, 'mode 600');
      ok(!fs.readFileSync(file, 'utf8').includes('sk-mock-demo'), 'the key is never written');
      // Another store object over the same directory shares nothing in memory with the first.
      const second = await new lib.ResourcesClient({ ...opts, storage: new fs.FileStorage(fs.dir) }).fetchResources();
      equal(second.source, 'cache');
      equal(second.hash, first.hash);
      equal((await control.resourceRequests()).length, 1, 'one request in all');
    },
  },
  {
    name: 'a damaged record file is ignored and replaced; writers of one record leave it whole',
    only: 'node',
    async run({ lib, options, control }) {
      await control.reset();
      const fs = await fileStore();
      const opts = options({ maxAgeMs: 600_000 });
      const writer = new lib.ResourcesClient({ ...opts, storage: new fs.FileStorage(fs.dir) });
      const first = await writer.fetchResources();
      const file = fs.fileOf(writer.storageKey);
      fs.writeFileSync(file, '{"key":"x","value":"{not a rec');
      await control.clearLog();
      const reader = new lib.ResourcesClient({ ...opts, storage: new fs.FileStorage(fs.dir) });
      equal(reader.cached(), null, 'the damaged file is not served');
      const again = await reader.fetchResources();
      equal(again.source, 'network');
      equal(again.hash, first.hash);
      equal((await control.resourceRequests()).length, 1);
      // Writers of a changed record through separate stores, at once: the file stays one whole record.
      await control.catalog({ preset: 'changed' });
      const writers = Array.from({ length: 4 }, () => new lib.ResourcesClient({ ...opts, storage: new fs.FileStorage(fs.dir) }));
      const results = await Promise.all(writers.map((w) => w.fetchResources({ refresh: true })));
      ok(results[0].hash !== first.hash, 'the changed catalog');
      const { key, value } = JSON.parse(fs.readFileSync(file, 'utf8'));
      equal(key, reader.storageKey);
      equal(JSON.parse(value).body.data.hash, results[0].hash, 'a whole record of the changed catalog');
      equal(fs.files().length, 2, 'one record file, beside the salt\'s');
      equal(fs.others().length, 0, `no temporary file left: ${fs.others()}`);
    },
  },
];
