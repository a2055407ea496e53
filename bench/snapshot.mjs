// The store's snapshot (Node.js): what freezing the catalog costs a screen.
// A new client on a storage that holds a record, then either `cached()` (the
// stored catalog, parsed) or `getSnapshot()` (the same catalog, deeply frozen,
// in the snapshot object), at 1,000 and 10,000 models. The difference is the
// cost of the freeze.
//
//   node --expose-gc bench/snapshot.mjs [--no-write]   (./run bench runs it)
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, middle, mapStorage } from './harness.mjs';
import { writeSections } from './sections.mjs';
import { catalogText } from './catalog.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const require = createRequire(import.meta.url);
const { ResourcesClient } = require(join(root, 'pkg/index.cjs'));
const write = !process.argv.includes('--no-write');
const SIZES = [1_000, 10_000];
const ROUNDS = 5;
const ms = (ns) => (ns / 1e6).toFixed(3);

const rows = [];
for (const n of SIZES) {
  const text = catalogText(n);
  const storage = mapStorage();
  // The record is stored by a fetch answered here, as a network fetch would be.
  const options = {
    baseUrl: 'https://api.example.com', apiKey: 'sk-bench', storage, storageKey: `snapshot-${n}`,
    fetch: async () => new Response(text, { headers: { 'content-type': 'application/json' } }),
  };
  await new ResourcesClient(options).fetchResources();
  const cases = {
    cached: () => { const c = new ResourcesClient(options); c.cached(); c.free(); },
    getSnapshot: () => { const c = new ResourcesClient(options); c.getSnapshot(); c.free(); },
  };
  const times = { cached: [], getSnapshot: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, fn] of Object.entries(cases)) times[name].push(await median(fn, 300));
  }
  const cached = middle(times.cached);
  const snapshot = middle(times.getSnapshot);
  rows.push(`| ${n.toLocaleString('en')} | ${(text.length / 1024).toFixed(1)} KB | ${ms(cached)} ms | ${ms(snapshot)} ms | ${ms(snapshot - cached)} ms | ${(snapshot / cached).toFixed(2)} |`);
  process.stderr.write(`snapshot: ${n} models done\n`);
}

const report = `| models | body | new client + \`cached()\` | new client + \`getSnapshot()\` | the freeze | × |
|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Node.js ${process.version}; medians of ${ROUNDS} interleaved rounds (mitata). Command: \`node --expose-gc bench/snapshot.mjs\` (\`./run bench\` runs it), ${new Date().toISOString().slice(0, 10)}.`;
console.log(report);
if (write) {
  writeSections([['snapshot', report]]);
  process.stderr.write('BENCHMARKS.md updated (snapshot)\n');
}
