// The package's catalog helpers (`diffResources`, `validateRunOptions`) when the
// built package has them, else small local stand-ins with the same result shape.
import * as lib from '/pkg/index.js';

/** Whether the helpers come from the package (shown on the page). */
export const fromPackage = {
  diff: typeof lib.diffResources === 'function',
  validate: typeof lib.validateRunOptions === 'function',
};

const modelsOf = (resources) => (Array.isArray(resources?.models) ? resources.models : []);
const optionsOf = (model) => (Array.isArray(model?.availableRunOptions) ? model.availableRunOptions : []);

/** `{added, removed, changed}` between two catalogs (model ids; run option keys). */
export function diffResources(before, after) {
  if (fromPackage.diff) {
    try {
      return lib.diffResources(before, after);
    } catch {
      // An odd catalog the package refuses to compare: the local diff still gives ids.
    }
  }
  const old = new Map(modelsOf(before).map((m) => [m.model, m]));
  const now = new Map(modelsOf(after).map((m) => [m.model, m]));
  const changed = [];
  for (const [id, m] of now) {
    const was = old.get(id);
    if (!was || JSON.stringify(was) === JSON.stringify(m)) continue;
    const keysWas = new Map(optionsOf(was).map((o) => [o.key, JSON.stringify(o.options)]));
    const keysNow = new Map(optionsOf(m).map((o) => [o.key, JSON.stringify(o.options)]));
    changed.push({
      model: id,
      ...(was.modality !== m.modality ? { modality: { before: was.modality, after: m.modality } } : {}),
      options: {
        added: [...keysNow.keys()].filter((k) => !keysWas.has(k)),
        removed: [...keysWas.keys()].filter((k) => !keysNow.has(k)),
        changed: [...keysNow.keys()].filter((k) => keysWas.has(k) && keysWas.get(k) !== keysNow.get(k)),
      },
    });
  }
  return {
    added: [...now.keys()].filter((id) => !old.has(id)),
    removed: [...old.keys()].filter((id) => !now.has(id)),
    changed,
  };
}

/** `{ok, errors: [{key, value, code, message, allowed?}]}` for a run's options. */
export function validateRunOptions(resources, model, runOptions) {
  if (fromPackage.validate) {
    try {
      return lib.validateRunOptions(resources, model, runOptions);
    } catch {
      // Fall back to the local check rather than leave the run panel broken.
    }
  }
  const entry = modelsOf(resources).find((m) => m.model === model);
  if (!entry) {
    return { ok: false, errors: [{ key: 'model', value: model, code: 'UNKNOWN_MODEL', message: `Unknown model "${model}".` }] };
  }
  const errors = [];
  for (const [key, value] of Object.entries(runOptions)) {
    const option = optionsOf(entry).find((o) => o.key === key);
    if (!option) {
      const allowed = optionsOf(entry).map((o) => o.key);
      errors.push({ key, value, code: 'UNKNOWN_KEY', message: `${model} has no run option "${key}".`, allowed });
    } else if (!option.options.includes(value)) {
      errors.push({ key, value, code: 'INVALID_VALUE', message: `"${value}" is not a value of ${key}.`, allowed: option.options });
    }
  }
  return { ok: errors.length === 0, errors };
}

/** Names of a diff entry's parts, whether the helper gives strings or `{key}` objects. */
const names = (list) => (Array.isArray(list) ? list.map((x) => (typeof x === 'string' ? x : x?.key ?? JSON.stringify(x))) : []);

/** One line per change, for people: "gpt-5: run option reasoningEffort changed". */
export function describeChange(entry) {
  const bits = [];
  if (entry.modality !== undefined) {
    const m = entry.modality;
    bits.push(typeof m === 'object' && m ? `modality ${m.before ?? '?'} → ${m.after ?? '?'}` : `modality now ${m}`);
  }
  const o = entry.options ?? {};
  if (names(o.added).length) bits.push(`new run option ${names(o.added).join(', ')}`);
  if (names(o.removed).length) bits.push(`run option ${names(o.removed).join(', ')} removed`);
  if (names(o.changed).length) bits.push(`values of ${names(o.changed).join(', ')} changed`);
  return `${entry.model}: ${bits.join('; ') || 'changed'}`;
}
