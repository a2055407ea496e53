// The run panel: the model picked with "Try it", its chosen run options, an
// extra free-text option, validation against the catalog before sending, and
// a POST /v1/runs whose answer (or 422) is shown as is.
import { h } from './dom.js';
import { validateRunOptions } from '/pkg/index.js';

/**
 * `els`: {model, summary, extraKey, extraValue, prompt, problems, button, result, note}.
 * `ctx()` gives {resources, send(path, init) → Response|null, canRun}; `choicesFor(model)` the card's choices.
 * Returns `{select(model), update()}`.
 */
export function createRunView(els, ctx, choicesFor) {
  let model = null;

  for (const el of [els.extraKey, els.extraValue]) el.addEventListener('input', update);
  els.form.addEventListener('submit', (e) => { e.preventDefault(); run(); });

  /** The run options as they would be sent: card choices plus the extra field. */
  function runOptions() {
    const options = model ? choicesFor(model) : {};
    const key = els.extraKey.value.trim();
    if (key) options[key] = els.extraValue.value;
    return options;
  }

  function select(next) {
    model = next;
    update();
  }

  /** Re-validates after a choice, an edit or a new catalog. */
  function update() {
    const { resources, canRun } = ctx();
    if (!model && resources?.models?.length) model = resources.models[0].model;
    els.model.textContent = model ?? '—';
    const options = runOptions();
    const pairs = Object.entries(options);
    els.summary.textContent = pairs.length ? pairs.map(([k, v]) => `${k}=${v}`).join(', ') : 'server defaults';
    els.button.disabled = !model || !canRun;
    els.note.hidden = canRun;
    if (!model || !resources) return els.problems.replaceChildren();
    const verdict = validateRunOptions(resources, model, options);
    els.problems.replaceChildren(...(verdict.ok
      ? [h('li', { class: 'ok' }, '✓ These options are valid for this model.')]
      : verdict.errors.map((e) => h('li', { class: 'bad' }, `✗ ${e.key}=${e.value}: ${e.message}`,
        e.allowed?.length ? ` Allowed: ${e.allowed.join(', ')}.` : '',
        e.suggestion ? ` Did you mean “${e.suggestion}”?` : ''))));
    els.problems.dataset.valid = String(verdict.ok);
  }

  async function run() {
    if (!model) return;
    const body = { model, prompt: els.prompt.value, runOptions: runOptions() };
    els.result.replaceChildren(h('p', { class: 'muted' }, 'Running…'));
    els.result.dataset.state = 'busy';
    try {
      const res = await ctx().send('/v1/runs', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const envelope = await res.json().catch(() => null);
      if (res.ok && envelope?.status === 'SUCCESS') {
        els.result.dataset.state = 'ok';
        els.result.replaceChildren(
          h('p', {}, h('strong', {}, `Run ${envelope.data.runId}`), ` (${res.status})`),
          h('pre', {}, envelope.data.output));
      } else {
        els.result.dataset.state = 'error';
        const field = envelope?.data?.field ? ` (field ${envelope.data.field})` : '';
        els.result.replaceChildren(h('p', { class: 'bad' },
          h('strong', {}, `${res.status} ${envelope?.status ?? 'HTTP error'}`), `: ${envelope?.message ?? res.statusText}${field}`));
      }
    } catch (error) {
      els.result.dataset.state = 'error';
      els.result.replaceChildren(h('p', { class: 'bad' }, `The run could not be sent: ${error.message}`));
    }
  }

  return { select, update };
}
