// The mock's state: the catalog it serves, the queue of faults, the rate limit
// and the request log. Everything the control API changes lives here.
import { DEFAULT_CATALOG, CHANGED_CATALOG, hashOf, cloneCatalog } from './catalog.mjs';
import { ControlError, hasValidKey } from './http.mjs';
import { normalizeFault } from './faults.mjs';

export const DEFAULT_API_KEY = 'sk-mock-demo';
const LOG_CAP = 10_000;

/**
 * Everything the control API can change. Exposed as `state` by
 * `startMockServer`, so in-process tests may call these methods directly
 * instead of going through HTTP.
 */
export class MockState {
  constructor({ apiKey = DEFAULT_API_KEY, resources = DEFAULT_CATALOG, rateLimitPerSecond = null } = {}) {
    this.apiKey = apiKey;
    this.initialResources = resources;
    this.initialRateLimit = rateLimitPerSecond;
    this.reset();
  }

  /** Default catalog (or the one given at start), no faults, no rate limit, empty log. */
  reset() {
    this.setCatalog(this.initialResources);
    this.faults = [];
    this.setRateLimit(this.initialRateLimit);
    this.clearLog();
    this.requestCount = 0;
    this.runCount = 0;
  }

  // --- catalog

  /** Serves `resources` as is (any JSON value); the hash is recomputed from it. */
  setCatalog(resources) {
    this.resources = cloneCatalog(resources);
    this.hash = hashOf(this.resources);
  }

  usePreset(name) {
    const presets = { default: DEFAULT_CATALOG, changed: CHANGED_CATALOG };
    if (!Object.hasOwn(presets, name)) throw new ControlError(`Unknown preset ${JSON.stringify(name)}; use "default" or "changed".`);
    this.setCatalog(presets[name]);
  }

  /** Overrides the served hash (any value, even an invalid one, for client tests). */
  setHash(hash) {
    this.hash = hash;
  }

  // --- faults

  addFaults(faults) {
    if (!Array.isArray(faults)) throw new ControlError('"faults" must be an array.');
    const normalized = faults.map(normalizeFault); // validate all before queueing any
    this.faults.push(...normalized);
  }

  clearFaults() {
    this.faults = [];
  }

  /** The first queued fault matching `pathname`, consumed once. */
  takeFault(pathname) {
    const index = this.faults.findIndex((f) => f.path === '*' || f.path === pathname);
    if (index === -1) return null;
    const fault = this.faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  /** How many more requests will be hit by a fault (a fault with `times: 3` counts 3). */
  get pendingFaults() {
    return this.faults.reduce((sum, f) => sum + f.remaining, 0);
  }

  // --- rate limit

  setRateLimit(perSecond) {
    if (perSecond === null || perSecond === undefined || perSecond === 0) {
      this.rateLimitPerSecond = null;
    } else if (Number.isInteger(perSecond) && perSecond > 0) {
      this.rateLimitPerSecond = perSecond;
    } else {
      throw new ControlError('"perSecond" must be a positive integer or null.');
    }
    this.recentRequests = [];
  }

  /**
   * Sliding one-second window over every API request that arrives (rejected
   * ones included, as a real limiter counts them too). False means "answer 429".
   */
  admit(now = Date.now()) {
    if (this.rateLimitPerSecond === null) return true;
    this.recentRequests = this.recentRequests.filter((t) => now - t < 1000);
    this.recentRequests.push(now);
    return this.recentRequests.length <= this.rateLimitPerSecond;
  }

  // --- request log

  /** Adds a log entry for a request; the caller fills in status/actionRequire when it answers. */
  record(req, pathname) {
    this.requestCount += 1;
    const entry = {
      n: this.requestCount,
      method: req.method,
      path: pathname,
      headers: this.redactHeaders(req.headers),
      status: null, // stays null when no response was ever sent (hang, client gone)
      at: Date.now(),
      actionRequire: false,
    };
    this.log.push(entry);
    if (this.log.length > LOG_CAP) this.log.splice(0, this.log.length - LOG_CAP);
    return entry;
  }

  // The log is readable without auth, so the key must never appear in it.
  redactHeaders(headers) {
    const copy = { ...headers }; // Node already lowercases header names
    if (copy.authorization !== undefined) {
      copy.authorization = hasValidKey(copy.authorization, this.apiKey) ? 'Bearer <redacted>' : '<wrong>';
    }
    return copy;
  }

  clearLog() {
    this.log = [];
  }

  /** What `GET /__control/state` returns. Never includes the API key. */
  snapshot() {
    return {
      hash: this.hash,
      resources: this.resources,
      rateLimitPerSecond: this.rateLimitPerSecond,
      pendingFaults: this.pendingFaults,
      requestCount: this.requestCount,
    };
  }
}

