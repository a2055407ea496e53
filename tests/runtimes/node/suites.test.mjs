// Runs the portable suites of tests/suites/ in Node.js against the built package
// (pkg/, loaded with require() and with import) and an in-process mock API.
import { test, before, after } from 'node:test';
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startMockServer } from '../../../mock/server.mjs';
import { makeContext } from '../../suites/harness.mjs';

const require = createRequire(import.meta.url);
const suitesDir = fileURLToPath(new URL('../../suites/', import.meta.url));
const suiteFiles = readdirSync(suitesDir).filter((f) => f.endsWith('.suite.mjs')).sort();
// Every suite is loaded before any test is registered: an `await` between
// registrations lets the runner finish the file early and run after() (closing
// the mock) while later suites are still being added.
const suites = await Promise.all(suiteFiles.map(async (file) => [file, (await import(new URL(`../../suites/${file}`, import.meta.url))).tests]));

let mock;
before(async () => {
  mock = await startMockServer({ port: 0 });
});
after(async () => {
  await mock?.close();
});

for (const [label, load] of [
  ['require', async () => require('../../../pkg')],
  ['import', async () => import('../../../pkg/index.mjs')],
]) {
  for (const [file, tests] of suites) {
    for (const t of tests) {
      if (t.only && t.only !== 'node') continue;
      test(`[node ${label}] ${file.replace('.suite.mjs', '')}: ${t.name}`, async () => {
        const lib = await load();
        await t.run(makeContext(lib, mock.url, 'node'));
      });
    }
  }
}
