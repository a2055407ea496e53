// Synthetic but realistic catalogs for the benchmark: the contract's real
// entries (o3, gpt-image-1, sora-2, ...) repeated with numbered ids, 0-4 run
// options each, an unknown field on some models and two unknown sections, as a
// server would send them (compact JSON). Deterministic: same size, same bytes.

const RUN_OPTIONS = [
  { key: 'reasoningEffort', options: ['low', 'medium', 'high'] },
  { key: 'quality', options: ['low', 'medium', 'high'] },
  { key: 'size', options: ['1024x1024', '1024x1536', '1536x1024'] },
  { key: 'aspectRatio', options: ['1:1', '3:4', '4:5', '9:16', '16:9'] },
  { key: 'resolution', options: ['1K', '2K'] },
  { key: 'seconds', options: ['4', '8'] },
];
const FAMILIES = [
  ['o3', 'text'], ['gpt-4o', 'text'], ['gpt-5', 'text'], ['claude-sonnet-4', 'text'],
  ['gpt-image-1', 'image'], ['gemini-3-pro-image-preview', 'image'], ['sora-2', 'video'],
];

/** The catalog body (an envelope) with `n` models, as an object. */
export function catalogObject(n) {
  let seed = 0x2f6b_3a91;
  const random = (k) => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return (seed >>> 8) % k;
  };
  const models = [];
  for (let i = 0; i < n; i += 1) {
    const [family, modality] = FAMILIES[i % FAMILIES.length];
    const count = random(5); // 0-4 run options
    const first = random(RUN_OPTIONS.length);
    const availableRunOptions = [];
    for (let j = 0; j < count; j += 1) {
      const o = RUN_OPTIONS[(first + j) % RUN_OPTIONS.length];
      availableRunOptions.push({ key: o.key, options: [...o.options] });
    }
    const model = { model: `${family}-${i}`, modality, availableRunOptions };
    // A few unknown fields: newer servers add them, clients must keep them.
    if (i % 50 === 7) model.contextWindow = 200_000;
    models.push(model);
  }
  return {
    status: 'SUCCESS',
    data: {
      hash: `aGFzaC1vZi1jYXRhbG9n${n}`,
      resources: {
        models,
        prompts: [{ id: 'summarize', title: 'Summarize a document' }],
        limits: { requestsPerSecond: 5 },
      },
    },
  };
}

/** The catalog body with `n` models, as the server sends it. */
export function catalogText(n) {
  return JSON.stringify(catalogObject(n));
}

/** The sizes the benchmark runs. */
export const SIZES = [100, 1_000, 10_000, 50_000];
