// Runs the portable suites of tests/suites/ in the runtime that runs this file
// (Deno, Bun; Node.js too) against the built package and the mock API whose
// URL is in MOCK_URL (started by ./run). Tests marked `only: "browser"` need a
// page and are left out; the rest run one at a time, each bounded in time.
//   MOCK_URL=... deno run -A tests/runtimes/deno-bun/suites.mjs deno [entry] [name filter]
//   MOCK_URL=... bun tests/runtimes/deno-bun/suites.mjs bun [entry] [name filter]
// entry: index.mjs (default; what the "node" export condition gives Deno and
// Bun) or init.js (the explicit-init entry over the browsers' glue, started
// here with the module's bytes).
import process from 'node:process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeContext } from '../../suites/harness.mjs';

const [label = 'runtime', entry = 'index.mjs', filter = ''] = process.argv.slice(2);
const mockUrl = process.env.MOCK_URL;
if (!mockUrl) {
  console.error('MOCK_URL is not set: start the mock API first (./run test --only <runtime> does)');
  process.exit(2);
}
const TEST_LIMIT_MS = 120_000;

const pkg = new URL('../../../pkg/', import.meta.url);
const lib = await import(new URL(entry, pkg).href);
if (entry === 'init.js') {
  const bytes = readFileSync(fileURLToPath(new URL('web/resources_client_bg.wasm', pkg)));
  await lib.init(bytes);
}

const unhandled = [];
if (typeof globalThis.addEventListener === 'function' && typeof Deno === 'object') {
  globalThis.addEventListener('unhandledrejection', (e) => { e.preventDefault(); unhandled.push(e.reason); });
} else {
  process.on('unhandledRejection', (reason) => { unhandled.push(reason); });
}

const suitesDir = fileURLToPath(new URL('../../suites/', import.meta.url));
const files = readdirSync(suitesDir).filter((f) => f.endsWith('.suite.mjs')).sort();
let passed = 0;
let failed = 0;
for (const file of files) {
  const { tests } = await import(new URL(`../../suites/${file}`, import.meta.url).href);
  for (const t of tests) {
    if (t.only && t.only !== 'node') continue;
    const name = `${file.replace('.suite.mjs', '')}: ${t.name}`;
    if (filter && !name.includes(filter)) continue;
    let timer;
    const limit = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no outcome within ${TEST_LIMIT_MS / 1000} s`)), TEST_LIMIT_MS);
    });
    const before = unhandled.length;
    try {
      await Promise.race([t.run(makeContext(lib, mockUrl, 'node')), limit]);
      // A rejection nobody handled surfaces a turn later: give it that turn.
      await new Promise((r) => setTimeout(r, 0));
      if (unhandled.length > before) throw new Error(`unhandled rejection: ${unhandled.slice(before).map(String).join('; ')}`);
      passed += 1;
      console.log(`ok - [${label}] ${name}`);
    } catch (error) {
      failed += 1;
      console.log(`not ok - [${label}] ${name}\n  ${`${error?.name}: ${error?.message}\n${error?.stack ?? ''}`.replaceAll('\n', '\n  ')}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
console.log(`${label}: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
