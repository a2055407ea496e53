// What a body that downloads slowly leaves to do after its last byte: a
// catalog sent over loopback in 16 KiB pieces at a set rate (a slow network,
// bench/api-server.mjs's paced route), and the time from the moment the
// server wrote its last byte to the moment the call returned. Compared:
// fetchResources({ refresh: true }) of each build given (interleaved rounds,
// each in the other order) and fetch(url).then((r) => r.json()).
//
//   node bench/stream.mjs <pkg dir A> [pkg dir B] [--models 10000] [--rate 4] [--rounds 15]
//
// --rate is in MB per second. A package dir is what `./run build` writes to pkg/.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dirs = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
if (dirs.length < 1) {
  console.error('usage: node bench/stream.mjs <pkg dir A> [pkg dir B] [--models 10000] [--rate 4] [--rounds 15]');
  process.exit(2);
}
const models = Number(option('--models', 10000));
const rate = Number(option('--rate', 4));
const rounds = Number(option('--rounds', 15));
const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const builds = dirs.map((dir) => ({ name: dir, lib: require(join(resolve(dir), 'index.cjs')) }));

const server = spawn(process.execPath, [join(root, 'bench/api-server.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
const sent = [];
let waiting = null;
const api = await new Promise((done) => {
  createInterface({ input: server.stdout }).on('line', (line) => {
    if (line.startsWith('API_URL=')) done(line.slice('API_URL='.length));
    if (line.startsWith('SENT ')) {
      sent.push(Number(line.slice(5)));
      waiting?.();
    }
  });
});
const lastByte = () => new Promise((done) => {
  if (sent.length) return done(sent.shift());
  waiting = () => { waiting = null; done(sent.shift()); };
});
const base = `${api}/paced/${rate}/${models}`;
const now = () => performance.timeOrigin + performance.now();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

try {
  const cases = [
    { name: 'fetch + res.json()', run: async () => (await fetch(`${base}/v1/resources`)).json() },
    ...builds.map(({ name, lib }) => {
      const client = new lib.ResourcesClient({ baseUrl: base, apiKey: null, storage: 'memory', retries: 0 });
      return { name: `fetchResources, ${name}`, run: () => client.fetchResources({ refresh: true }) };
    }),
  ];
  const after = new Map(cases.map((c) => [c.name, []]));
  const total = new Map(cases.map((c) => [c.name, []]));
  for (const c of cases) await c.run().then(lastByte); // warm-up
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 ? [...cases].reverse() : cases;
    for (const c of order) {
      const start = now();
      await c.run();
      const done = now();
      const last = await lastByte();
      after.get(c.name).push(done - last);
      total.get(c.name).push(done - start);
    }
  }
  console.log(`${models} models sent at ${rate} MB/s in 16 KiB pieces, ${rounds} rounds, medians:`);
  for (const c of cases) {
    console.log(`  ${c.name.padEnd(48)} ${median(after.get(c.name)).toFixed(2).padStart(7)} ms after the last byte, `
      + `${median(total.get(c.name)).toFixed(1).padStart(7)} ms in all`);
  }
} finally {
  server.stdin.end();
}
