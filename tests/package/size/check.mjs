// Size check of the browser build (run by `./run test` after `./run build`).
// Sizes are deterministic for a given source and toolchain, so this is a check,
// not a timed test. The numbers live in budget.json beside this file:
//   budget  the enforced ceiling (gzip -9 bytes of the files below, summed);
//   goal    where the package should get to (see BENCHMARKS.md for the gap).
import { readFileSync } from 'node:fs';
import { gzipSync, constants } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const { budget, goal, files } = JSON.parse(readFileSync(new URL('./budget.json', import.meta.url), 'utf8'));

let total = 0;
for (const file of files) {
  let bytes;
  try {
    bytes = readFileSync(`${root}${file}`);
  } catch {
    console.error(`size check: ${file} is missing; run ./run build first`);
    process.exit(1);
  }
  const gz = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;
  total += gz;
  console.log(`${file}: ${bytes.length} bytes, ${gz} gzip -9`);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`browser build: ${kb(total)} gzip -9 (budget ${kb(budget)}, goal ${kb(goal)})`);
if (total > budget) {
  console.error(`size check failed: ${kb(total)} is over the budget of ${kb(budget)} by ${total - budget} bytes`);
  process.exit(1);
}
if (total > goal) console.log(`note: ${kb(total - goal)} above the goal of ${kb(goal)} (BENCHMARKS.md explains why)`);
