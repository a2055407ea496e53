// Two builds of the package side by side in one Node process: the calls users
// make, timed in interleaved rounds (each round in the other order), against
// what they would write by hand: `fetchResources({ refresh: true })` against
// `fetch(url).then((r) => r.json())` of the same URL, and a new client's first
// `cached()` of a stored record (a StorageLike over a Map) against `JSON.parse`
// of the record. For a change whose cost is a few percent, which separate runs
// on a shared machine cannot show.
//
//   node bench/paired.mjs <pkg dir A> <pkg dir B> [--models 100,10000] [--rounds 30]
//
// A package dir is what `./run build` writes to pkg/ (copy it away before
// building the other). The API is bench/api-server.mjs in its own process.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dirs = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
if (dirs.length !== 2) {
  console.error('usage: node bench/paired.mjs <pkg dir A> <pkg dir B> [--models 100,10000] [--rounds 30]');
  process.exit(2);
}
const sizes = option('--models', '100,10000').split(',').map(Number);
const rounds = Number(option('--rounds', 30));
const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const builds = dirs.map((dir) => ({ name: dir, lib: require(join(resolve(dir), 'index.cjs')) }));

const server = spawn(process.execPath, [join(root, 'bench/api-server.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
const api = await new Promise((done) => {
  createInterface({ input: server.stdout }).on('line', (line) => {
    if (line.startsWith('API_URL=')) done(line.slice('API_URL='.length));
  });
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

try {
  for (const size of sizes) {
    const url = `${api}/m/${size}`;
    const calls = (size <= 1000 ? 100 : 5);
    // A stored record per build, written by that build's own client.
    const stored = [];
    for (const { lib } of builds) {
      const records = new Map();
      const storage = { getItem: (k) => records.get(k) ?? null, setItem: (k, v) => { records.set(k, v); }, removeItem: (k) => { records.delete(k); } };
      const options = { baseUrl: url, apiKey: null, storage, retries: 0 };
      const writer = new lib.ResourcesClient(options);
      await writer.fetchResources();
      stored.push({ options, storage, key: writer.storageKey });
      writer.free();
    }
    const groups = [
      {
        what: '`fetchResources({ refresh: true })`',
        cases: [
          { name: 'fetch + res.json()', run: async () => (await fetch(`${url}/v1/resources`)).json() },
          ...builds.map(({ name, lib }) => {
            const client = new lib.ResourcesClient({ baseUrl: url, apiKey: null, storage: 'memory', retries: 0 });
            return { name: `fetchResources, ${name}`, run: () => client.fetchResources({ refresh: true }) };
          }),
        ],
      },
      {
        what: 'a new client\'s first `cached()` of a stored record',
        cases: [
          { name: 'JSON.parse(storage.getItem(key))', run: () => JSON.parse(stored[0].storage.getItem(stored[0].key)) },
          ...builds.map(({ name, lib }, i) => ({
            name: `new ResourcesClient(o).cached(), ${name}`,
            run: () => {
              const client = new lib.ResourcesClient(stored[i].options);
              const result = client.cached();
              client.free();
              if (result === null) throw new Error(`${name}: no stored catalog`);
            },
          })),
        ],
      },
    ];
    for (const { what, cases } of groups) {
      for (const c of cases) await c.run(); // warm
      const times = new Map(cases.map((c) => [c, []]));
      for (let round = 0; round < rounds; round += 1) {
        for (const c of round % 2 ? cases : [...cases].reverse()) {
          const start = performance.now();
          for (let i = 0; i < calls; i += 1) await c.run();
          times.get(c).push((performance.now() - start) / calls);
        }
      }
      const baseline = median(times.get(cases[0]));
      console.log(`\n${what}, ${size} models, ${rounds} rounds of ${calls} calls, medians:`);
      for (const c of cases) {
        const t = median(times.get(c));
        console.log(`  ${c.name.padEnd(56)} ${t.toFixed(3)} ms  ${(t / baseline).toFixed(3)} × ${cases[0].name}`);
      }
      const [a, b] = cases.slice(1).map((c) => median(times.get(c)));
      console.log(`  B ÷ A: ${(b / a).toFixed(3)}`);
    }
  }
} finally {
  server.stdin.end();
  server.stdout.destroy();
}
