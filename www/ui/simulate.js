// The "Simulate" panel: buttons that drive the mock API's control API
// (`/__control/...`, see mock/README.md) so a visitor can watch retries,
// stale-if-error, rate limiting and recovery. Shown only when a mock answers.
import { h, shortHash } from './dom.js';

/** What each button does; `refresh: true` makes the page refresh right after, to show the effect. */
const ACTIONS = [
  { id: 'sim-changed', label: 'Publish a changed catalog', path: 'catalog', body: { preset: 'changed' },
    hint: 'Then press “Call GET /v1/me”: the answer carries action-require and the page refreshes by itself.' },
  { id: 'sim-default', label: 'Restore the default catalog', path: 'catalog', body: { preset: 'default' } },
  { id: 'sim-500', label: 'Fail once (500): a retry recovers', path: 'faults', body: { faults: [{ status: 500 }] }, refresh: true },
  { id: 'sim-down', label: 'Fail 3 times (500): stale-if-error', path: 'faults',
    body: { faults: [{ status: 500, times: 3 }] }, refresh: true },
  { id: 'sim-slow', label: 'Slow answer (3 s)', path: 'faults', body: { faults: [{ delayMs: 3000 }] }, refresh: true },
  { id: 'sim-429', label: '429 with Retry-After: 2 s', path: 'faults',
    body: { faults: [{ status: 429, retryAfter: 2 }] }, refresh: true },
  { id: 'sim-rate', label: 'Rate limit: 1 request/s', path: 'rate-limit', body: { perSecond: 1 } },
  { id: 'sim-rate-off', label: 'No rate limit', path: 'rate-limit', body: { perSecond: null } },
  { id: 'sim-clear', label: 'Clear pending faults', path: 'faults', method: 'DELETE' },
  { id: 'sim-reset', label: 'Reset the mock', path: 'reset', body: {} },
];

/**
 * `els`: {panel, buttons, state, log}. `baseUrl()` gives the API root,
 * `onAction(action)` runs after a control call (e.g. to refresh), `say(text)` logs,
 * `onMock({catalogRequests})` hears what the mock saw after each update.
 * Returns `{probe(), update()}`.
 */
export function createSimulator(els, baseUrl, onAction, say, onMock = () => {}) {
  let available = false;

  els.buttons.replaceChildren(...ACTIONS.map((a) =>
    h('button', { type: 'button', id: a.id, onclick: () => act(a) }, a.label)));

  const control = (path, init) => fetch(`${baseUrl()}/__control/${path}`, init);

  /** Shows the panel when the base URL answers the control API. Only loopback hosts are asked: the mock binds nowhere else. */
  async function probe() {
    available = false;
    try {
      const host = new URL(baseUrl()).hostname;
      if (['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
        const res = await control('state');
        available = res.ok && typeof (await res.json())?.hash === 'string';
      }
    } catch {
      available = false;
    }
    els.panel.hidden = !available;
    if (available) await update();
    else onMock({ catalogRequests: null });
    return available;
  }

  async function act(action) {
    try {
      const init = { method: action.method ?? 'POST' };
      if (action.body) Object.assign(init, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(action.body) });
      const res = await control(action.path, init);
      if (!res.ok) throw new Error(`control API answered ${res.status}`);
      say(`Simulate: ${action.label}.${action.hint ? ` ${action.hint}` : ''}`, 'sim');
      await update();
      await onAction(action);
    } catch (error) {
      say(`Simulate failed: ${error.message}`, 'error');
    }
  }

  /** Shows the mock's state and the last API requests it saw (retries show up here). */
  async function update() {
    if (!available) return;
    try {
      const [state, log] = await Promise.all([control('state'), control('log')].map((p) => p.then((r) => r.json())));
      const rate = state.rateLimitPerSecond ? `${state.rateLimitPerSecond}/s` : 'off';
      els.state.textContent = `Mock catalog ${shortHash(state.hash)} · ${state.pendingFaults} pending faults · ` +
        `rate limit ${rate} · ${state.requestCount} API requests`;
      els.log.replaceChildren(...log.requests.filter((r) => r.method !== 'OPTIONS').slice(-8).reverse().map((r) =>
        h('li', { class: r.status >= 400 || r.status === null ? 'bad' : '' },
          `#${r.n} ${r.method} ${r.path} → ${r.status ?? 'no answer'}${r.actionRequire ? ' + action-require' : ''}`)));
      onMock({ catalogRequests: log.requests.filter((r) => r.method === 'GET' && r.path === '/v1/resources').length });
    } catch {
      // The mock went away; the next probe hides the panel.
    }
  }

  return { probe, update, get available() { return available; } };
}
