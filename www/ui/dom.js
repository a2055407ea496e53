// Tiny DOM helpers: the page has no framework, so elements are built with `h()`.

/**
 * Creates an element. `props` keys starting with "on" add listeners, `class`
 * sets the class name, `value`/`checked`/`selected`/`disabled`/`hidden` are
 * set as properties, anything else as an attribute (skipped when null/false).
 * Children may be strings, nodes, arrays or null.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (['value', 'checked', 'selected', 'disabled', 'hidden'].includes(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  el.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** The element with this id; throws early when the page and the script disagree. */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el;
}

/** An id-safe slug of free text (model ids may hold dots, colons, slashes). */
export const slug = (text) => String(text).replace(/[^A-Za-z0-9_-]/g, '_');

/** "3 models" / "1 model". */
export const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Local wall-clock time with seconds, e.g. "14:03:27". */
export const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour12: false });

/** The first characters of a hash, enough to tell catalogs apart at a glance. */
export const shortHash = (hash) => (hash ? String(hash).slice(0, 8) : '—');
