// Times the catalog helpers on a 10,000-model catalog (the built package, pkg/).
// Prints numbers; asserts nothing. Run: ./run build && node bench/helpers.mjs
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const lib = createRequire(import.meta.url)('../pkg');
const N = Number(process.argv[2] ?? 10_000);

function catalog(n, variant = 0) {
  const models = [];
  for (let i = 0; i < n; i += 1) {
    const kind = i % 3;
    models.push({
      model: `model-${String(i).padStart(5, '0')}`,
      modality: ['text', 'image', 'video'][kind],
      availableRunOptions: kind === 0
        ? [{ key: 'reasoningEffort', options: ['low', 'medium', 'high', ...(variant && i % 100 === 0 ? ['xhigh'] : [])] }]
        : [
            { key: 'quality', options: ['low', 'medium', 'high'] },
            { key: 'size', options: ['1024x1024', '1024x1536', '1536x1024'] },
          ],
    });
  }
  if (variant) models.splice(0, 50); // 50 removed
  if (variant) for (let i = 0; i < 25; i += 1) models.push({ model: `new-${i}`, modality: 'text', availableRunOptions: [] });
  return { models };
}

/** Median time of `fn` in ms over `runs` runs, after a warm-up. */
function time(label, fn, runs = 50) {
  for (let i = 0; i < 5; i += 1) fn();
  const samples = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  console.log(`${label.padEnd(58)} ${median.toFixed(3).padStart(8)} ms (median of ${runs})`);
  return median;
}

const a = catalog(N);
const b = catalog(N, 1);
const last = a.models[N - 1].model;
const opts = { quality: 'high', size: '1024x1536' };
console.log(`catalog: ${N} models, ${JSON.stringify(a).length} bytes of JSON`);
time(`validateRunOptions, model found first`, () => lib.validateRunOptions(a, a.models[1].model, opts), 500);
time(`validateRunOptions, model found last (worst case)`, () => lib.validateRunOptions(a, last, opts), 200);
time(`validateRunOptions, one bad value`, () => lib.validateRunOptions(a, last, { quality: 'ultra' }), 200);
time(`validateRunOptions, unknown model (suggestion over all ids)`, () => lib.validateRunOptions(a, 'model-0999x', {}), 50);
time(`for reference: JSON.stringify of the catalog`, () => JSON.stringify(a), 50);
time(`findModel, last`, () => lib.findModel(a, last), 200);
time(`modelsByModality`, () => lib.modelsByModality(a, 'image'), 200);
time(`runOptionKeys`, () => lib.runOptionKeys(a), 50);
time(`diffResources, two ${N}-model catalogs`, () => lib.diffResources(a, b), 20);
const d = lib.diffResources(a, b);
console.log(`  (diff: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed)`);
