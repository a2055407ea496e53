// The "Second client" panel: another ResourcesClient of the same record (same
// base URL, API key and storage) that never fetches. It is bound through the
// store interface only (`subscribe` + `getSnapshot`), so it shows that a change
// the first client fetched reaches every client of the record without a
// request of its own. Beside it, how many catalog requests the mock API saw.
import { ResourcesClient } from '/pkg/index.js';
import { h, clock, shortHash } from './dom.js';

/** `dl` receives the rows. Returns `{bind(options), update(), setMock(mock)}`. */
export function createSecondPanel(dl) {
  let client = null;
  let snapshot = null; // the catalog of the last snapshot (getSnapshot().data)
  let changedAt = null; // when that object last changed (ms)
  let changes = 0; // how often it changed since binding
  let attempts = 0; // HTTP attempts of this client (onAttempt): stays 0, it makes no request
  let catalogRequests = null; // GET /v1/resources the mock saw; null without a mock

  /**
   * A new client for `options` (the first client's own options), or none for `null`.
   * Returns a function that unsubscribes it.
   */
  function bind(options) {
    client = null;
    snapshot = null;
    changedAt = null;
    changes = 0;
    attempts = 0;
    if (options) {
      try {
        client = new ResourcesClient({ ...options, onAttempt: () => { attempts += 1; update(); } });
      } catch {
        client = null; // the first client failed with the same options and says why
      }
    }
    snapshot = client?.getSnapshot().data ?? null; // what is stored already: no change yet
    // This client never fetches: its store only listens.
    const off = client ? client.subscribe(update, { fetch: false }) : () => {};
    draw();
    return off;
  }

  /** Reads the snapshot and redraws; another catalog object means the stored catalog changed. */
  function update() {
    const next = client?.getSnapshot().data ?? null;
    if (next !== snapshot) {
      snapshot = next;
      changedAt = Date.now();
      changes += 1;
    }
    draw();
  }

  function setMock(mock) {
    catalogRequests = mock.catalogRequests;
    draw();
  }

  function draw() {
    const rows = client
      ? [
        ['Hash', h('code', { title: snapshot?.hash ?? '' }, shortHash(snapshot?.hash))],
        ['Models', snapshot ? String(snapshot.resources?.models?.length ?? 0) : 'no stored catalog'],
        ['Snapshot changed at', changedAt === null ? 'not since the page connected' : clock(changedAt)],
        ['Snapshot changes', String(changes)],
        ['Requests of its own', String(attempts)],
      ]
      : [['Client', 'none (the settings are not valid)']];
    if (catalogRequests !== null) rows.push(['Catalog requests the mock saw', String(catalogRequests)]);
    dl.replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-field': k }, v)]));
  }

  return { bind, update, setMock };
}
