// The calls users make, against what they would write by hand, in Node (bench/run.mjs)
// and Chromium (bench/index.html), with the same harness as bench/suite.mjs:
//
// - `client.fetchResources({ refresh: true })` on one client (each call a new
//   request) against `fetch(url).then((r) => r.json())`, both from the local
//   server of bench/api-server.mjs;
// - a new client's first `cached()` (as on a page load or a process start)
//   against `JSON.parse(storage.getItem(key))` of the same stored record, with
//   the constructor alone beside it, and later `cached()` calls of one client.
import { do_not_optimize } from 'mitata';
import { median, middle, mapStorage } from './harness.mjs';
import { SIZES } from './catalog.mjs';
import { checkWithZod } from './zod.mjs';
import { validate } from './validator.mjs';

/** The cases at each size; each `vs` names the baseline its ratio is taken to. */
export const MAIN_CASES = [
  { id: 'fetch', vs: 'fetch', label: '`fetch(url).then((r) => r.json())`' },
  { id: 'fetchResources', vs: 'fetch', label: '`client.fetchResources({ refresh: true })`' },
  { id: 'fetchZod', vs: 'fetch', label: 'peer: `fetch` + `res.json()` + zod 4' },
  { id: 'fetchValidator', vs: 'fetch', label: 'peer: `fetch` + `res.json()` + the hand-written JS validator' },
  { id: 'parse', vs: 'parse', label: '`JSON.parse(storage.getItem(key))` of the record' },
  { id: 'firstCached', vs: 'parse', label: '`new ResourcesClient(o).cached()` (first of a new client; this text already read in the module)' },
  { id: 'parseRecord', vs: 'parseRecord', label: '`JSON.parse(record)` (the text in hand)' },
  { id: 'coldCached', vs: 'parseRecord', label: '`new ResourcesClient(o).cached()` (first of a new client, text never seen: a page load)' },
  { id: 'parseRecordZod', vs: 'parseRecord', label: 'peer: `JSON.parse(record)` + zod 4 of its body' },
  { id: 'parseRecordValidator', vs: 'parseRecord', label: 'peer: `JSON.parse(record)` + the JS validator of its body' },
  { id: 'construct', vs: 'parse', label: '`new ResourcesClient(o)` alone' },
  { id: 'laterCached', vs: 'parse', label: '`client.cached()` again (same client)' },
];

/**
 * The goals these numbers are judged against: the highest ratio allowed, by case
 * and size (`*`: every size). One source for the BENCHMARKS.md table and its goals.
 */
export const MAIN_GOALS = {
  fetchResources: { 100: 1.25, 1000: 1.15, 10000: 1.15 },
  firstCached: { '*': 1.3 },
  coldCached: { 100: 1.5, 1000: 1.2, 10000: 1.2 },
  laterCached: { '*': 1.05 },
};
export const goalFor = (id, size) => MAIN_GOALS[id]?.[size] ?? MAIN_GOALS[id]?.['*'] ?? null;

/** The peer each call must beat at every size (a lower ratio to the same baseline). */
export const PEER_GOALS = { fetchResources: 'fetchZod', coldCached: 'parseRecordZod' };

/** A storage warning without the record's key (it names the server's random port). */
const storageReason = (w) => w.replace(/'bench-[^']*'/g, "'<key>'");

/** `localStorage` with the same `keys()` as mapStorage. */
function localStorageView() {
  const s = globalThis.localStorage;
  return {
    getItem: (k) => s.getItem(k),
    keys: () => Array.from({ length: s.length }, (_, i) => s.key(i)),
  };
}

/** JSON text with object keys sorted: equal for equal values whatever the key order. */
function canonical(value) {
  return JSON.stringify(value, (_, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}

/**
 * Runs both comparisons at each size. `browser`: clients use their default
 * storage (localStorage) and the record is read from localStorage; otherwise
 * the fetching client uses `storage: 'memory'` and the record lives in a
 * StorageLike over a Map. Returns `{ rows, notes }`; each row is
 * `{ size, bytes, case, ns, ratio }` (`ns` null when the case could not run).
 */
export async function runMainPath(lib, {
  apiUrl, browser = false, log = () => {}, minCpuMs = 300, sizes = SIZES, rounds = 5,
} = {}) {
  const rows = [];
  const notes = [];
  for (const size of sizes) {
    if (browser) globalThis.localStorage.clear(); // one size's records at a time
    const baseUrl = `${apiUrl}/m/${size}`;
    const url = `${baseUrl}/v1/resources`;
    const recordStorage = browser ? undefined : mapStorage();
    const view = browser ? localStorageView() : recordStorage;
    // The bench API takes no key: `apiKey: null` says so (outside browsers a client with no key fails otherwise).
    const common = { baseUrl, apiKey: null, maxAgeMs: 3_600_000, retries: 0 };
    // The fetching client and the stored record use separate keys: each refresh
    // rewrites the fetching client's record (fetchedAt), which must not change
    // the record the cached() cases read.
    const fetchClient = new lib.ResourcesClient({ ...common, storageKey: 'bench-fetch', ...(browser ? {} : { storage: 'memory' }) });
    const cachedOptions = { ...common, storageKey: 'bench-cached', ...(browser ? {} : { storage: recordStorage }) };

    // Cross-check: both contenders read the same body.
    const plain = await fetch(url).then((r) => r.json());
    const first = await fetchClient.fetchResources({ refresh: true });
    const bytes = new TextEncoder().encode(JSON.stringify(plain)).length;
    if (first.source !== 'network' || first.hash !== plain.data.hash
      || first.resources.models.length !== size || canonical(first.resources) !== canonical(plain.data.resources)) {
      throw new Error(`fetchResources and fetch disagree at ${size} models`);
    }
    const storageWarnings = first.warnings.filter((w) => w.startsWith('storage unavailable'));
    if (browser) {
      const stored = view.keys().filter((k) => k.startsWith('bench-fetch'));
      const note = storageWarnings.length
        ? `Chromium, ${size.toLocaleString('en')} models: writing the record to localStorage failed; the client kept the catalog in memory and said so in \`warnings\` ("${storageReason(storageWarnings[0])}"); later refreshes of this client no longer try localStorage`
        : `Chromium, ${size.toLocaleString('en')} models: record stored in localStorage (${stored.length} key)`;
      if (storageWarnings.length) notes.push(note);
      log(note);
    }

    // The stored record: fetched once by a client on the record's storage.
    const writer = new lib.ResourcesClient(cachedOptions);
    const written = await writer.fetchResources({ refresh: true });
    const key = view.keys().includes(writer.storageKey) ? writer.storageKey : undefined;
    writer.free();
    const stored = key === undefined ? null : view.getItem(key);
    // Over localStorage's quota the record goes to IndexedDB, read asynchronously
    // (ready()): the synchronous cached() cases do not apply.
    const overflowed = typeof stored === 'string' && stored.includes('"in":"indexeddb"');
    const record = overflowed ? null : stored;
    if (overflowed) {
      const note = `Chromium, ${size.toLocaleString('en')} models: the record is over localStorage's quota, so it went to IndexedDB (with the warning "${written.warnings.find((w) => w.includes('IndexedDB')) ?? ''}"); a new client reads it asynchronously (\`ready()\`), so the cached() cases are not measured`;
      notes.push(note);
      log(note);
    }
    const cachedRuns = record !== null;
    if (cachedRuns) {
      const probe = new lib.ResourcesClient(cachedOptions);
      const c = probe.cached();
      probe.free();
      if (c?.hash !== plain.data.hash || c.source !== 'cache' || c.resources.models.length !== size) {
        throw new Error(`a new client's cached() does not return the stored catalog at ${size} models`);
      }
    } else if (!overflowed) {
      const w = written.warnings.find((x) => x.startsWith('storage unavailable')) ?? 'no warning';
      const note = `${browser ? 'Chromium' : 'Node'}, ${size.toLocaleString('en')} models: no record in storage after fetching ("${storageReason(w)}"), so a new client's cached() returns null: the cached() cases are not measured`;
      notes.push(note);
      log(note);
    }
    const laterClient = new lib.ResourcesClient(cachedOptions);
    // A storage that holds the record under every key (for the cold case).
    const anyKey = { getItem: () => record, setItem() {}, removeItem() {} };
    let cold = 0;
    if (cachedRuns) {
      const probe = new lib.ResourcesClient({ ...common, storageKey: 'bench-cold-probe', storage: anyKey });
      if (probe.cached()?.hash !== plain.data.hash) throw new Error(`a cold client's cached() does not return the stored catalog at ${size} models`);
      probe.free();
    }
    if (cachedRuns) laterClient.cached(); // the first read is done: later calls are measured

    // The peers read the same catalog.
    for (const check of [checkWithZod, validate]) {
      if (check(plain).hash !== plain.data.hash) throw new Error(`a peer disagrees at ${size} models`);
      if (record !== null && check(JSON.parse(record).body).hash !== plain.data.hash) throw new Error(`a peer disagrees on the record at ${size} models`);
    }

    const fns = {
      fetch: () => fetch(url).then((r) => r.json()),
      fetchZod: () => fetch(url).then((r) => r.json()).then(checkWithZod),
      fetchValidator: () => fetch(url).then((r) => r.json()).then((v) => validate(v)),
      parseRecordZod: () => do_not_optimize(checkWithZod(JSON.parse(record).body)),
      parseRecordValidator: () => do_not_optimize(validate(JSON.parse(record).body)),
      fetchResources: () => fetchClient.fetchResources({ refresh: true }),
      parse: () => do_not_optimize(JSON.parse(view.getItem(key))),
      // free() ends each client (its storage listener too), as a page unload
      // would; without it, listeners of thousands of clients would pile up.
      firstCached: () => {
        const c = new lib.ResourcesClient(cachedOptions);
        const r = c.cached();
        c.free();
        return do_not_optimize(r);
      },
      construct: () => do_not_optimize(new lib.ResourcesClient(cachedOptions).free()),
      laterCached: () => do_not_optimize(laterClient.cached()),
      parseRecord: () => do_not_optimize(JSON.parse(record)),
      // Each client reads the record under a key of its own (the storage answers
      // every key with it), so no client finds it already walked in the module:
      // every call validates the text, as the first read after a page load does.
      coldCached: () => {
        const c = new lib.ResourcesClient({ ...common, storageKey: `bench-cold-${(cold += 1)}`, storage: anyKey });
        const r = c.cached();
        c.free();
        return do_not_optimize(r);
      },
    };
    const ids = MAIN_CASES.filter((c) => cachedRuns || (c.vs !== 'parse' && c.vs !== 'parseRecord')).map((c) => c.id);
    // A new client's first cached() of 50,000 models takes seconds today: fewer samples there.
    const minSamples = size >= 50_000 ? 3 : size >= 10_000 ? 6 : 12;
    const samples = Object.fromEntries(ids.map((id) => [id, []]));
    // Odd rounds run the cases in reverse, so that no case always follows the
    // same one (a case that allocates much leaves work for the next one's GC).
    for (let r = 0; r < rounds; r += 1) {
      for (const id of r % 2 ? [...ids].reverse() : ids) samples[id].push(await median(fns[id], minCpuMs / rounds, minSamples));
    }
    for (const { id, vs, label } of MAIN_CASES) {
      if (!samples[id]) {
        rows.push({ size, bytes, case: id, ns: null, ratio: null });
        continue;
      }
      const ns = middle(samples[id]);
      const ratio = middle(samples[id].map((x, r) => x / samples[vs][r]));
      rows.push({ size, bytes, case: id, ns, ratio });
      log(`${size} models ${label}: ${(ns / 1e6).toFixed(3)} ms, ${ratio.toFixed(2)} ×`);
    }
    // Whether the fetching client still writes localStorage after the runs.
    if (browser) {
      const last = await fetchClient.fetchResources({ refresh: true });
      const w = last.warnings.filter((x) => x.startsWith('storage unavailable'));
      if (w.length && !storageWarnings.length) notes.push(`Chromium, ${size.toLocaleString('en')} models: storage failed during the runs ("${storageReason(w[0])}")`);
    }
    fetchClient.free();
    laterClient.free();
  }
  return { rows, notes };
}
