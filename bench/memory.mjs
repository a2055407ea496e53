// One memory measurement in a fresh Node process (run by bench/run.mjs):
//   node --expose-gc bench/memory.mjs <case> <body file>
// Prints JSON: how much the peak resident set grew while the case turned the
// body text into its result, and what stayed allocated with the result alive.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [caseId, file] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');
const require = createRequire(import.meta.url);
const lib = require('../pkg/index.cjs');
const { parseAndValidate } = await import('./validator.mjs');
const { parseWithZod } = await import('./zod.mjs');
const cases = {
  a: () => JSON.parse(text),
  b: () => parseAndValidate(text),
  c: () => parseWithZod(text),
  d: () => lib.parseResources(text),
};
// Warm the code paths on a small body so compilation is not counted.
const small = JSON.stringify({ status: 'SUCCESS', data: { hash: 'h', resources: { models: [] } } });
lib.parseResources(small);
parseWithZod(small);
parseAndValidate(small);
globalThis.gc();
const before = process.memoryUsage();
const peakBefore = process.resourceUsage().maxRSS * 1024;
const result = cases[caseId]();
const peakAfter = process.resourceUsage().maxRSS * 1024;
globalThis.gc();
const after = process.memoryUsage();
console.log(JSON.stringify({
  case: caseId,
  models: result.resources?.models?.length ?? result.data?.resources?.models?.length,
  peakRssGrowth: Math.max(0, peakAfter - Math.max(peakBefore, before.rss)),
  retained: after.heapUsed + after.external + after.arrayBuffers - (before.heapUsed + before.external + before.arrayBuffers),
}));
