// Words for a `diffResources` entry, for people.

/** One line per changed model: "gpt-5: values of reasoningEffort changed". */
export function describeChange(entry) {
  const bits = [];
  if (Array.isArray(entry.modality)) {
    const [before, after] = entry.modality;
    bits.push(`modality ${before} → ${after}`);
  }
  const o = entry.options;
  if (o.added.length) bits.push(`new run option ${o.added.join(', ')}`);
  if (o.removed.length) bits.push(`run option ${o.removed.join(', ')} removed`);
  if (o.changed.length) bits.push(`values of ${o.changed.map((c) => c.key).join(', ')} changed`);
  return `${entry.model}: ${bits.join('; ') || 'changed'}`;
}
