// The demo page: a model picker over the resources-client package, with the
// client's state on show. Plain ES modules; the package comes from /pkg/.
import { ResourcesClient, diffResources } from '/pkg/index.js';
import config from './demo-config.js';
import { byId, plural, shortHash } from './ui/dom.js';
import { createCatalogView } from './ui/catalog.js';
import { createRunView } from './ui/run.js';
import { createSimulator } from './ui/simulate.js';
import { createSecondPanel } from './ui/second.js';
import { renderState, renderWarnings, renderError, renderChange, logLine } from './ui/status.js';

const MOCK_KEY = 'sk-mock-demo';
const MAX_AGE_MS = 60_000;

// Settings live in this module only: never in storage, never in the URL.
const settings = {
  baseUrl: config.baseUrl ?? location.origin,
  apiKey: config.apiKey ?? (config.baseUrl ? '' : MOCK_KEY),
};

let client = null;
let unbind = []; // unsubscribe functions of the current client
let generation = 0; // results of a client replaced by new settings are dropped
let shown = null; // the ResourcesResult in the state panel: the last call's, or the stored catalog's
let catalogShown = null; // the catalog the model list shows (getSnapshot().data)
let busy = 0; // foreground calls in flight: each shows its own result when it ends
let loading = false; // initial load: a change found now is "since your last visit"

const say = (text, kind, data) => logLine(byId('activity'), text, kind, data);

const catalog = createCatalogView({
  list: byId('catalog'), search: byId('search'), filter: byId('modality-filter'), counts: byId('counts'),
  onTry: (model) => { run.select(model); byId('prompt').focus(); },
  onChoice: () => run.update(),
});

const run = createRunView({
  form: byId('run-form'), model: byId('run-model'), summary: byId('run-options'), extraKey: byId('extra-key'),
  extraValue: byId('extra-value'), prompt: byId('prompt'), problems: byId('run-problems'), button: byId('run'),
  result: byId('run-result'), note: byId('run-note'),
}, () => ({ resources: catalogShown?.resources ?? null, send: api, canRun: simulator.available }), (m) => catalog.choicesFor(m));

const secondPanel = createSecondPanel(byId('second-state'));

const simulator = createSimulator(
  { panel: byId('simulate-panel'), buttons: byId('simulate-buttons'), state: byId('mock-state'), log: byId('mock-log') },
  () => apiRoot(settings.baseUrl),
  (action) => (action.refresh ? refresh() : undefined),
  say,
  (mock) => secondPanel.setMock(mock),
);

/** The API root for hand-made calls, written like the client's own rule: no trailing "/" or "/v1". */
function apiRoot(base) {
  return String(base).trim().replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** A call to another endpoint, with the key and the client's `cli-agent` header; the answer goes through `observe()`. */
async function api(path, init = {}) {
  const headers = { Accept: 'application/json', ...client.agentHeaders(), ...init.headers };
  if (settings.apiKey) headers.Authorization = /^Bearer /i.test(settings.apiKey) ? settings.apiKey : `Bearer ${settings.apiKey}`;
  const res = await fetch(`${apiRoot(settings.baseUrl)}${path}`, { ...init, headers });
  const asked = client.observe(res);
  const note = asked ? ' + action-require: update-resources → refreshing in the background' : '';
  say(`${init.method ?? 'GET'} ${path} → ${res.status}${note}`, asked ? 'sim' : 'info');
  simulator.update();
  return res;
}

/**
 * The model list, bound to the client's store: called once at start and by
 * `subscribe` on every change of the stored catalog (this page's fetches,
 * background refreshes started by `observe`, the other client, other tabs).
 * Shows what changed when the hash moved.
 */
function showCatalog() {
  const snapshot = client.getSnapshot().data;
  // The same object: nothing changed. null: no stored catalog (cleared); the list stays until the next one.
  if (snapshot === catalogShown || snapshot === null) return;
  let diff = null;
  if (catalogShown && snapshot.hash !== catalogShown.hash) {
    diff = diffResources(catalogShown.resources, snapshot.resources);
    renderChange(byId('change-notice'), diff, { sinceLastVisit: loading });
    say(`Catalog changed: hash ${shortHash(catalogShown.hash)} → ${shortHash(snapshot.hash)}, ` +
      `${plural(snapshot.resources?.models?.length ?? 0, 'model')}`, 'ok');
  }
  const before = catalogShown;
  catalogShown = snapshot;
  catalog.setModels(snapshot.resources?.models, diff);
  run.update();
  if (!before) {
    if (busy === 0) accept(snapshot, 'Stored catalog');
  } else if (busy === 0 && snapshot.hash !== shown?.hash) {
    // A change no call of this page waits for (a background refresh, another tab): the state panel shows it too.
    showState({ ...snapshot, changed: true, previousHash: before.hash });
  }
}

function showState(result) {
  shown = result;
  renderState(byId('state'), result, client);
  renderWarnings(byId('warnings'), result);
}

/** Shows a call's result (or the stored catalog) in the state panel and the activity log. */
function accept(result, how) {
  const same = (k) => result[k] === shown?.[k];
  if (['hash', 'fetchedAt', 'source', 'stale'].every(same)) return;
  showState(result);
  const flags = [result.stale ? 'stale' : '', result.changed ? 'changed' : ''].filter(Boolean).join(', ');
  say(`${how}: ${plural(result.resources?.models?.length ?? 0, 'model')} from the ${result.source}, hash ${shortHash(result.hash)}` +
    `${flags ? ` (${flags})` : ''}${result.warnings?.length ? `, ${plural(result.warnings.length, 'warning')}` : ''}`,
  result.stale ? 'warn' : 'ok', { 'data-source': result.source });
}

function fail(error) {
  renderError(byId('error'), error, catalogShown);
  renderState(byId('state'), shown, client);
  say(`Error ${error?.code ?? ''} (${error?.status || 'no response'}): ${error?.message ?? error}`, 'error');
}

/** Runs one client call unless new settings replaced the client meanwhile; shows busy state. */
async function guarded(task) {
  const mine = generation;
  busy += 1;
  document.body.setAttribute('aria-busy', 'true');
  try {
    const result = await task();
    if (mine !== generation) return null;
    renderError(byId('error'), null);
    return result;
  } catch (error) {
    if (mine === generation) fail(error);
    return null;
  } finally {
    busy -= 1;
    if (mine === generation && busy === 0) document.body.removeAttribute('aria-busy');
    simulator.update();
  }
}

/** Start-up: the stored catalog when fresh (no request), then a revalidation over the network. */
async function load() {
  loading = true;
  try {
    const first = await guarded(() => client.fetchResources());
    if (first) accept(first, 'Load');
    // A failed load is not asked again at once: it would fail the same way.
    if (first?.source === 'cache') {
      const second = await guarded(() => client.fetchResources({ refresh: true }));
      if (second) accept(second, 'Revalidate');
    }
  } finally {
    loading = false;
  }
}

async function refresh() {
  const result = await guarded(() => client.fetchResources({ refresh: true }));
  if (result) accept(result, 'Refresh');
}

/**
 * New clients for the current settings: the page's own and the second panel's,
 * both of the same record (base URL, API key, storage). The old ones are
 * unsubscribed and their late results ignored.
 */
function connect() {
  generation += 1;
  for (const off of unbind) off();
  unbind = [];
  // The key is the user's own, typed into this page and kept in its memory.
  const options = { baseUrl: settings.baseUrl, apiKey: settings.apiKey || undefined, dangerouslyAllowBrowser: true, maxAgeMs: MAX_AGE_MS };
  try {
    client = new ResourcesClient(options);
  } catch (error) {
    client = null;
    secondPanel.bind(null);
    fail(error);
    return false;
  }
  unbind.push(
    // The page makes its own calls (start, Refresh): the store only listens.
    client.subscribe(() => { showCatalog(); simulator.update(); }, { fetch: false }),
    // A refresh that observe() started and that failed after its retries: the stored catalog stays on show.
    client.onError((error) => fail(error)),
    secondPanel.bind(options),
  );
  return true;
}

function wire() {
  byId('base-url').value = settings.baseUrl;
  byId('api-key').value = settings.apiKey;
  byId('settings').addEventListener('submit', async (e) => {
    e.preventDefault(); // a submitted form would put the key in the URL
    settings.baseUrl = byId('base-url').value.trim();
    settings.apiKey = byId('api-key').value.trim();
    say(`Settings applied: ${apiRoot(settings.baseUrl)}, ${settings.apiKey ? 'with a key' : 'no key'}`);
    await start();
  });
  byId('refresh').addEventListener('click', () => client && refresh());
  byId('clear-cache').addEventListener('click', () => {
    client?.clear();
    say('Cache cleared: the next load goes to the network.', 'info');
    renderState(byId('state'), shown, client);
    secondPanel.update();
  });
  byId('check-updates').addEventListener('click', async () => {
    if (!client) return;
    try {
      const res = await api('/v1/me');
      if (!res.ok) fail({ code: (await res.json().catch(() => null))?.status ?? 'HTTP_ERROR', status: res.status, message: `GET /v1/me answered ${res.status}.` });
    } catch (error) {
      fail({ code: 'NETWORK_ERROR', status: 0, message: error.message });
    }
  });
}

async function start() {
  // Another server or key: what is on screen is no "before" for the next diff.
  shown = null;
  catalogShown = null;
  byId('change-notice').hidden = true;
  catalog.setModels([]);
  renderState(byId('state'), null, null);
  if (!connect()) return;
  showCatalog(); // the stored catalog, if any, before any request
  await Promise.all([load(), simulator.probe().then(() => run.update())]);
}

wire();
await start();
document.body.dataset.ready = 'true';
