// The state panel (hash, source, times, flags, warnings), the error box, the
// change notice and the activity log.
import { h, clock, shortHash, plural } from './dom.js';
import { explainError } from './errors.js';
import { describeChange } from './changes.js';

const yesNo = (b) => (b ? 'yes' : 'no');

/** Fills the state list from a ResourcesResult (`null` before the first one). */
export function renderState(dl, result, client) {
  const rows = result
    ? [
      ['Hash', h('code', { title: result.hash }, shortHash(result.hash))],
      ['Source', h('span', { 'data-source': result.source }, result.source)],
      ['Fetched at', clock(result.fetchedAt)],
      ['Stale', h('span', { class: result.stale ? 'warn' : '' }, yesNo(result.stale))],
      ['Changed', yesNo(result.changed)],
      ['Previous hash', h('code', { title: result.previousHash ?? '' }, shortHash(result.previousHash))],
      ['Models', String(result.resources?.models?.length ?? 0)],
      ['Refresh pending', yesNo(client?.stale)],
    ]
    : [['Catalog', 'not loaded yet']];
  dl.replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-field': k }, v)]));
}

/** Lists the result's warnings; hides the list when there are none. */
export function renderWarnings(ul, result) {
  const warnings = result?.warnings ?? [];
  ul.hidden = warnings.length === 0;
  ul.replaceChildren(...warnings.map((w) => h('li', {}, w)));
}

/** The error box: what went wrong in plain words, the code, and how to fix it. `null` clears it. */
export function renderError(box, error, cached) {
  box.hidden = !error;
  if (!error) return box.replaceChildren();
  const e = explainError(error);
  box.dataset.code = e.code;
  box.replaceChildren(
    h('h3', {}, e.title),
    h('p', { class: 'code' }, e.detail),
    h('p', {}, 'Details: ', e.message),
    h('p', {}, h('strong', {}, 'How to fix: '), e.fix),
    cached ? h('p', { class: 'muted' }, `The catalog on show is the last good one (hash ${shortHash(cached.hash)}).`) : null,
  );
}

/** "1 model added, 1 removed and 1 changed since your last visit", with the details. */
export function renderChange(box, diff, { sinceLastVisit }) {
  const parts = [];
  if (diff.added.length) parts.push(`${plural(diff.added.length, 'model')} added`);
  if (diff.removed.length) parts.push(`${diff.removed.length} removed`);
  if (diff.changed.length) parts.push(`${diff.changed.length} changed`);
  const when = sinceLastVisit ? 'since your last visit' : 'just now';
  const headline = parts.length ? `${parts.join(', ')} ${when}.` : `The catalog's hash changed ${when}, its models did not.`;
  box.hidden = false;
  box.replaceChildren(
    h('p', { class: 'headline' }, headline),
    h('ul', {},
      diff.added.map((id) => h('li', { class: 'added' }, `+ ${id}`)),
      diff.removed.map((id) => h('li', { class: 'removed' }, `− ${id}`)),
      diff.changed.map((c) => h('li', { class: 'changed' }, `~ ${describeChange(c)}`))),
  );
}

/** Prepends a timestamped line to the activity log (newest first, bounded). */
export function logLine(ol, text, kind = 'info', data = {}) {
  ol.prepend(h('li', { class: `log-${kind}`, ...data }, h('time', {}, clock(Date.now())), ' ', text));
  while (ol.children.length > 40) ol.lastElementChild.remove();
}
