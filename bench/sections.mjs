// Writing results into BENCHMARKS.md (Node.js only; the harness itself also runs in Chromium).
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Replaces the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` of
 * BENCHMARKS.md for each `[name, text]`; throws when a section has no markers.
 */
export function writeSections(sections) {
  const file = new URL('../BENCHMARKS.md', import.meta.url);
  let doc = readFileSync(file, 'utf8');
  for (const [name, text] of sections) {
    const begin = `<!-- ${name}:begin -->`;
    const end = `<!-- ${name}:end -->`;
    const a = doc.indexOf(begin);
    const b = doc.indexOf(end);
    if (a < 0 || b < a) throw new Error(`BENCHMARKS.md lacks the ${name}:begin/${name}:end markers`);
    doc = `${doc.slice(0, a + begin.length)}\n${text}\n${doc.slice(b)}`;
  }
  writeFileSync(file, doc);
}
