// The measurements, shared by Node (bench/run.mjs) and Chromium (bench/index.html):
// the same cases, the same catalogs, the same harness (mitata's `measure`).
import { do_not_optimize } from 'mitata';
import { median as measureMedian, middle, mapStorage } from './harness.mjs';
import { catalogText, SIZES } from './catalog.mjs';
import { parseAndValidate } from './validator.mjs';
import { parseWithZod } from './zod.mjs';

/** Median nanoseconds of a synchronous `fn`, its result kept alive. */
const median = (fn, minCpuMs) => measureMedian(() => do_not_optimize(fn()), minCpuMs);

/** The cases at each size; (a) is the floor every ratio is measured against. */
export const CASES = [
  { id: 'a', label: '(a) JSON.parse' },
  { id: 'b', label: '(b) JSON.parse + JS validator' },
  { id: 'c', label: '(c) zod 4' },
  { id: 'd', label: '(d) parseResources(string)' },
  { id: 'd-bytes', label: '(d) parseResources(Uint8Array)' },
];

/** Fails loudly when the contenders disagree: a benchmark of wrong answers is worthless. */
function crossCheck(lib, text) {
  const b = parseAndValidate(text);
  const c = parseWithZod(text);
  const d = lib.parseResources(text);
  const d2 = lib.parseResources(new TextEncoder().encode(text));
  const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);
  if (!same(b.warnings, d.warnings) || !same(d, d2) || b.hash !== d.hash || c.hash !== d.hash
    || !same(b.resources, d.resources) || c.resources.models.length !== d.resources.models.length) {
    throw new Error(`the contenders disagree on a catalog of ${text.length} bytes`);
  }
  return d.warnings.length;
}

/**
 * Runs everything; `log` reports progress. Returns rows of
 * `{ size, bytes, case, ns }` plus the cached() comparison.
 */
export async function runSuite(lib, { log = () => {}, minCpuMs = 300, sizes = SIZES, rounds = 5 } = {}) {
  const rows = [];
  for (const size of sizes) {
    const text = catalogText(size);
    const bytes = new TextEncoder().encode(text);
    const warnings = crossCheck(lib, text);
    const fns = {
      a: () => JSON.parse(text),
      b: () => parseAndValidate(text),
      c: () => parseWithZod(text),
      d: () => lib.parseResources(text),
      'd-bytes': () => lib.parseResources(bytes),
    };
    // Rounds interleave the cases, so that load from other processes hits them
    // alike; each ratio is taken within a round, then the median over rounds.
    const samples = Object.fromEntries(CASES.map(({ id }) => [id, []]));
    for (let r = 0; r < rounds; r += 1) {
      for (const { id } of CASES) samples[id].push(await median(fns[id], minCpuMs / rounds));
    }
    for (const { id, label } of CASES) {
      const ns = middle(samples[id]);
      const ratio = middle(samples[id].map((x, r) => x / samples.a[r]));
      rows.push({ size, bytes: bytes.length, case: id, ns, ratio, warnings });
      log(`${size} models ${label}: ${(ns / 1e6).toFixed(3)} ms, ${ratio.toFixed(2)} × (a)`);
    }
  }
  return { rows, cached: await cachedSuite(lib, { log, minCpuMs, rounds }) };
}


/** cached() of a fresh stored catalog of 1,000 models vs JSON.parse of the stored record. */
async function cachedSuite(lib, { log, minCpuMs, rounds }) {
  const text = catalogText(1_000);
  const storage = mapStorage();
  // One fetch function for every client: a caller's fetch is part of the record's scope.
  const options = {
    baseUrl: 'https://bench.invalid',
    storage,
    storageKey: 'bench',
    maxAgeMs: 3_600_000,
    retries: 0,
    fetch: async () => new Response(text, { status: 200, headers: { 'content-type': 'application/json' } }),
  };
  const client = new lib.ResourcesClient(options);
  await client.fetchResources();
  const key = client.storageKey;
  const record = storage.getItem(key);
  if (typeof record !== 'string' || client.cached()?.resources.models.length !== 1_000) {
    throw new Error('cached() benchmark: no stored catalog');
  }
  // A new client reads and validates the record once (then keeps it until the text changes).
  const coldClient = () => new lib.ResourcesClient(options);
  const fns = {
    parse: () => JSON.parse(storage.getItem(key)),
    cached: () => client.cached(),
    firstRead: () => coldClient().cached(),
  };
  const samples = { parse: [], cached: [], firstRead: [] };
  for (let r = 0; r < rounds; r += 1) {
    for (const id of Object.keys(fns)) samples[id].push(await median(fns[id], minCpuMs / rounds));
  }
  const ratio = (id) => middle(samples[id].map((x, r) => x / samples.parse[r]));
  const [parse, cached, firstRead] = [middle(samples.parse), middle(samples.cached), middle(samples.firstRead)];
  log(`cached(): ${(cached / 1e6).toFixed(3)} ms, JSON.parse(record): ${(parse / 1e6).toFixed(3)} ms, new client + cached(): ${(firstRead / 1e6).toFixed(3)} ms`);
  return { parse, cached, firstRead, cachedRatio: ratio('cached'), firstReadRatio: ratio('firstRead'), recordBytes: record.length };
}
