// The model list: a search box, a modality filter with counts, and one card
// per model with a <select> for each of its run options.
import { h, slug, plural } from './dom.js';

const ALL = 'all';

/**
 * Wires the catalog view to its elements. `setModels(models, diff?)` marks
 * the models a catalog change added or changed. `onTry(model)` is called by a card's
 * "Try it" button, `onChoice(model)` whenever one of its selects changes.
 */
export function createCatalogView({ list, search, filter, counts, onTry, onChoice }) {
  let models = [];
  let modality = ALL;
  let marks = new Map(); // model id -> "new" | "changed", from the last catalog change
  const choices = new Map(); // model id -> {key: value}; survives re-renders and refreshes

  search.addEventListener('input', draw);

  function setModels(next, diff = null) {
    models = Array.isArray(next) ? next : [];
    if (diff) marks = new Map([...diff.added.map((id) => [id, 'new']), ...diff.changed.map((c) => [c.model, 'changed'])]);
    const known = new Set(models.map((m) => m.modality));
    if (modality !== ALL && !known.has(modality)) modality = ALL;
    drawFilter();
    draw();
  }

  function drawFilter() {
    const byModality = groupBy(models);
    const radio = (value, label, n) => {
      const id = `modality-${slug(value)}`;
      return h('span', { class: 'chip' },
        h('input', { type: 'radio', name: 'modality', id, value, checked: value === modality,
          onchange: () => { modality = value; draw(); } }),
        h('label', { for: id }, label, ' ', h('span', { class: 'count' }, String(n))));
    };
    filter.replaceChildren(
      h('legend', {}, 'Modality'),
      radio(ALL, 'all', models.length),
      ...[...byModality].map(([m, list]) => radio(m, m, list.length)),
    );
  }

  function draw() {
    const focused = document.activeElement?.id;
    const query = search.value.trim().toLowerCase();
    const visible = models.filter((m) => (modality === ALL || m.modality === modality) && matches(m, query));
    const byModality = groupBy(models);
    counts.textContent = `Showing ${visible.length} of ${plural(models.length, 'model')} · ` +
      [...byModality].map(([m, list]) => `${list.length} ${m}`).join(', ');
    if (visible.length === 0) {
      list.replaceChildren(h('p', { class: 'empty' },
        models.length === 0 ? 'No models yet.' : `No model matches “${search.value}”.`));
    } else {
      list.replaceChildren(...[...groupBy(visible)].map(([m, group]) =>
        h('section', { class: 'group', 'aria-label': `${m} models` },
          h('h3', {}, m, ' ', h('span', { class: 'count' }, String(group.length))),
          h('div', { class: 'cards' }, group.map(card)))));
    }
    // A background refresh redraws the list; keep the keyboard where it was.
    if (focused) document.getElementById(focused)?.focus();
  }

  function card(model) {
    const chosen = choices.get(model.model) ?? {};
    const options = model.availableRunOptions ?? [];
    const mark = marks.get(model.model);
    return h('article', { class: `card${mark ? ` card-${mark}` : ''}`, 'data-model': model.model },
      h('header', {},
        h('h4', {}, model.model),
        mark ? h('span', { class: `badge badge-mark` }, mark) : null,
        h('span', { class: `badge badge-${slug(model.modality)}` }, model.modality)),
      options.length === 0
        ? h('p', { class: 'muted' }, 'No run options.')
        : h('div', { class: 'options' }, options.map((o) => select(model.model, o, chosen[o.key]))),
      h('button', { type: 'button', class: 'try', id: `try-${slug(model.model)}`,
        'aria-label': `Try ${model.model} in a run`, onclick: () => onTry(model.model) }, 'Try it'));
  }

  function select(modelId, option, current) {
    const id = `opt-${slug(modelId)}-${slug(option.key)}`;
    return h('div', { class: 'field' },
      h('label', { for: id }, option.key),
      h('select', { id, 'data-key': option.key, onchange: (e) => {
        const next = { ...(choices.get(modelId) ?? {}) };
        if (e.target.value === '') delete next[option.key];
        else next[option.key] = e.target.value;
        choices.set(modelId, next);
        onChoice(modelId);
      } },
      h('option', { value: '', selected: current === undefined }, 'default'),
      option.options.map((v) => h('option', { value: v, selected: v === current }, v)),
      // A choice the refreshed catalog no longer offers stays visible, so validation can flag it.
      current !== undefined && !option.options.includes(current)
        ? h('option', { value: current, selected: true }, `${current} (no longer offered)`)
        : null));
  }

  return { setModels, choicesFor: (id) => ({ ...(choices.get(id) ?? {}) }) };
}

/** Models by modality, in first-seen order (unknown modalities are kept, not dropped). */
function groupBy(models) {
  const groups = new Map();
  for (const m of models) {
    if (!groups.has(m.modality)) groups.set(m.modality, []);
    groups.get(m.modality).push(m);
  }
  return groups;
}

/** Search matches the model id, its modality and its run option keys and values. */
function matches(model, query) {
  if (!query) return true;
  const hay = [model.model, model.modality, ...(model.availableRunOptions ?? []).flatMap((o) => [o.key, ...o.options])];
  return hay.some((s) => String(s).toLowerCase().includes(query));
}
