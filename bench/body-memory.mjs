// Wasm memory under many large bodies at once: N concurrent fetchResources
// calls, each answered (by an injected fetch) with the same 31 MiB body (a JSON
// object whose one member is a long string: read whole, judged, refused). Prints
// how many calls settled and how, the module's memory at the end, the time and
// the process's resident memory. Not part of the tests (memory.test.mjs holds
// the bound at 40 bodies); run after ./run build:
//   node bench/body-memory.mjs [N=160]
import { createRequire } from 'node:module';

let memory = null;
const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const instance = new Instance(module, imports);
  // Found by kind: the package's build gives the module's exports short names.
      memory = Object.values(instance.exports).find((e) => e instanceof WebAssembly.Memory);
  return instance;
};
const lib = createRequire(import.meta.url)('../pkg/index.cjs');

const n = Number(process.argv[2] ?? 160);
const MiB = 1024 * 1024;
const body = new Uint8Array(31 * MiB).fill(0x61);
body.set(new TextEncoder().encode('{"x":"'), 0);
body.set(new TextEncoder().encode('"}'), body.length - 2);
const fetch = async () => new Response(body, { headers: { 'content-type': 'application/json' } });
const started = performance.now();
const outcomes = await Promise.all(Array.from({ length: n }, (_, i) => new lib.ResourcesClient({
  baseUrl: 'http://127.0.0.1:9', apiKey: null, storage: 'memory', storageKey: `body-memory-${i}`, fetch, retries: 0,
}).fetchResources().then(() => 'resolved', (e) => e.code)));
const counts = {};
for (const o of outcomes) counts[o] = (counts[o] ?? 0) + 1;
console.log(`${n} concurrent bodies of 31 MiB: settled ${outcomes.length} (${JSON.stringify(counts)}); `
  + `wasm memory ${(memory.buffer.byteLength / MiB).toFixed(1)} MiB; ${(performance.now() - started).toFixed(0)} ms; `
  + `resident ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB (${process.version})`);
