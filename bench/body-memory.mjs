// Wasm memory under many large bodies at once: N concurrent fetchResources
// calls, each answered (by an injected fetch) with the same 31 MiB body (a JSON
// object whose one member is a long string: read whole, judged, refused). Prints
// how many calls settled and how, the module's memory at the end, the time and
// the process's resident memory. Not part of the tests (memory.test.mjs holds
// the bound at 40 bodies); run after ./run build:
//   node bench/body-memory.mjs [N=160]
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Required first: it watches the next WebAssembly.Instance, the package's.
const { size, largeBody } = require('../tests/runtimes/node/wasm-memory.cjs');
const lib = require('../pkg/index.cjs');

const n = Number(process.argv[2] ?? 160);
const MiB = 1024 * 1024;
const body = largeBody(31);
const fetch = async () => new Response(body, { headers: { 'content-type': 'application/json' } });
const started = performance.now();
const outcomes = await Promise.all(Array.from({ length: n }, (_, i) => new lib.ResourcesClient({
  baseUrl: 'http://127.0.0.1:9', apiKey: null, storage: 'memory', storageKey: `body-memory-${i}`, fetch, retries: 0,
}).fetchResources().then(() => 'resolved', (e) => e.code)));
const counts = {};
for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
console.log(`${n} concurrent bodies of 31 MiB: settled ${outcomes.length} (${JSON.stringify(counts)}); `
  + `wasm memory ${(size() / MiB).toFixed(1)} MiB; ${(performance.now() - started).toFixed(0)} ms; `
  + `resident ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB (${process.version})`);
