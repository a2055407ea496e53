// Catalog lookups, in plain JavaScript on purpose: each returns the caller's own
// model objects, so the work is a loop over `resources.models`. Done in wasm,
// every element would cross the boundary (or the catalog would be copied) only
// to hand back the same objects; here it is a few lines and no crossing at all.
// The Rust crate has the same lookups on `Resources` (src/domain/catalog.rs);
// both use the first model when an id repeats, and never throw.

/** `resources.models` when it is an array, else an empty list. */
function modelsOf(resources) {
  try {
    const models = resources !== null && typeof resources === 'object' ? resources.models : undefined;
    return Array.isArray(models) ? models : [];
  } catch {
    return []; // a throwing getter or a revoked proxy: no catalog
  }
}

/** Own field of a model entry, or undefined (entries may be anything in a hand-made catalog). */
function field(entry, name) {
  try {
    return entry !== null && typeof entry === 'object' ? entry[name] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The model with this id (exact match; the first one if the id repeats): the
 * same object as in `resources.models`, not a copy. `undefined` when there is
 * none or `resources` is not a catalog, as `Array.prototype.find` answers.
 * @param {{models: object[]}} resources
 * @param {string} id
 */
export function findModel(resources, id) {
  if (typeof id !== 'string') return undefined;
  for (const entry of modelsOf(resources)) {
    if (field(entry, 'model') === id) return entry;
  }
  return undefined;
}

/**
 * The models of one modality (exact match, e.g. "image"), in catalog order: the
 * input's own objects. An empty array when none match or `resources` is not a catalog.
 * @param {{models: object[]}} resources
 * @param {string} modality
 */
export function modelsByModality(resources, modality) {
  const out = [];
  if (typeof modality !== 'string') return out;
  const seen = new Set();
  for (const entry of modelsOf(resources)) {
    const id = field(entry, 'model');
    if (typeof id !== 'string' || seen.has(id)) continue;
    seen.add(id);
    if (field(entry, 'modality') === modality) out.push(entry);
  }
  return out;
}

/**
 * Every run option key of the catalog with the ids of the models that accept
 * it: `[{ key, models: [ids] }]`, sorted by key (plain string order), ids in
 * catalog order. An empty array when `resources` is not a catalog.
 * @param {{models: object[]}} resources
 */
export function runOptionKeys(resources) {
  // A Map, not an object: keys such as "__proto__" are plain data here.
  const byKey = new Map();
  const seen = new Set();
  for (const entry of modelsOf(resources)) {
    const id = field(entry, 'model');
    if (typeof id !== 'string' || seen.has(id)) continue;
    seen.add(id);
    const options = field(entry, 'availableRunOptions');
    if (!Array.isArray(options)) continue;
    const keysOfModel = new Set();
    for (const option of options) {
      const key = field(option, 'key');
      if (typeof key !== 'string' || keysOfModel.has(key)) continue;
      keysOfModel.add(key);
      const models = byKey.get(key);
      if (models) models.push(id);
      else byKey.set(key, [id]);
    }
  }
  return [...byKey.keys()].sort().map((key) => ({ key, models: byKey.get(key) }));
}
