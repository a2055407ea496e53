// Catalogs served by the mock API server, and the hash the server derives from them.
//
// The entries mirror the real service's documented catalog so that
// fixtures, demos and tests all talk about the same models.

import { createHash } from 'node:crypto';

const text = (model, availableRunOptions = []) => ({ model, modality: 'text', availableRunOptions });
const image = (model, availableRunOptions) => ({ model, modality: 'image', availableRunOptions });
const video = (model, availableRunOptions) => ({ model, modality: 'video', availableRunOptions });
const opt = (key, options) => ({ key, options });

/** The `resources` object the mock serves by default. */
export const DEFAULT_CATALOG = deepFreeze({
  models: [
    text('o3', [opt('reasoningEffort', ['low', 'medium', 'high'])]),
    text('gpt-4o'),
    text('gpt-5', [opt('reasoningEffort', ['none', 'low', 'medium'])]),
    text('claude-sonnet-4'),
    image('gpt-image-1', [
      opt('quality', ['low', 'medium', 'high']),
      opt('size', ['1024x1024', '1024x1536', '1536x1024']),
    ]),
    image('gemini-3-pro-image-preview', [
      opt('aspectRatio', ['1:1', '3:4', '4:5', '9:16', '16:9']),
      opt('resolution', ['1K', '2K']),
    ]),
    video('sora-2', [opt('seconds', ['4', '8']), opt('size', ['720x1280', '1280x720'])]),
  ],
});

/**
 * A catalog "after a deploy": claude-sonnet-4 removed, veo-3 added and gpt-5
 * gaining "high". Switching to it changes the hash, which is what clients
 * holding the old hash must notice.
 */
export const CHANGED_CATALOG = deepFreeze({
  models: [
    ...DEFAULT_CATALOG.models
      .filter((m) => m.model !== 'claude-sonnet-4')
      .map((m) =>
        m.model === 'gpt-5'
          ? text('gpt-5', [opt('reasoningEffort', ['none', 'low', 'medium', 'high'])])
          : m,
      ),
    video('veo-3', [opt('seconds', ['4', '8'])]),
  ],
});

/**
 * Content hash of a `resources` value: base64url (no padding) of the first
 * 16 bytes of sha256 over its canonical JSON. Canonical JSON sorts object keys
 * recursively, so two catalogs that differ only in key order hash the same,
 * while any change of content (including model order) changes the hash.
 * Accepts any JSON value, because tests may store odd catalogs.
 */
export function hashOf(resources) {
  const digest = createHash('sha256').update(canonicalJson(resources), 'utf8').digest();
  return digest.subarray(0, 16).toString('base64url');
}

/** JSON.stringify with object keys sorted at every level. */
export function canonicalJson(value) {
  if (value === undefined) return 'null';
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
      : v,
  );
}

/** A deep, mutable copy, so callers can edit a preset without touching the original. */
export function cloneCatalog(resources) {
  return resources === undefined ? undefined : JSON.parse(JSON.stringify(resources));
}

function deepFreeze(value) {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
