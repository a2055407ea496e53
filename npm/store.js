// The client's store for screens (`subscribe` / `getSnapshot`, React's
// `useSyncExternalStore`, Vue, Svelte): what a screen needs in one frozen
// object, the same object until something a screen shows changes.
//
//   { data, error, isFetching, isPending }
//
// data        the catalog as the last call or change gave it (deeply frozen:
//             one subscriber cannot change what another sees), or null
// error       the last failure of any call of this client, foreground or
//             background (a ResourcesError), until a later success
// isFetching  a request for this client's catalog is on the network
// isPending   no catalog and no error yet
//
// It lives beside the wasm module, not in it: it only counts calls, keeps the
// last outcome and freezes objects, all of which JavaScript does without a
// boundary crossing.

/**
 * Freezes `value` and everything reachable from it (the objects and arrays of
 * a JSON value, whose depth the body's validation bounds).
 */
export function deepFreeze(value) {
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const item = value[i];
      if (typeof item === 'object' && item !== null) deepFreeze(item);
    }
  } else {
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i += 1) {
      const item = value[keys[i]];
      if (typeof item === 'object' && item !== null) deepFreeze(item);
    }
  }
  return value;
}

const META = ['source', 'changed', 'previousHash', 'fetchedAt', 'stale', 'warnings'];

/**
 * The store of one client. `client` gives `cached()`, `fetchResources()` and
 * `onChange()` of the client itself (the wasm methods, not the overrides).
 */
export class ClientStore {
  constructor(client) {
    this.client = client;
    this.listeners = new Set();
    this.calls = 0; // foreground calls not yet settled
    this.background = false; // a refresh started by observe() not yet ended
    this.fetching = false; // what the snapshot says
    this.error = null;
    /** What the last outcome said of the catalog (source, changed, ...), by hash. */
    this.meta = null;
    this.data = undefined; // undefined: to be read from the stored record
    this.snapshot = null;
    this.offChange = null;
  }

  /** Starts hearing the client's changes (once): other clients, realms and tabs. */
  listen() {
    if (this.offChange !== null) return;
    this.offChange = this.client.onChange((result) => {
      this.background = false;
      this.error = null;
      this.outcome(result);
    });
  }

  /** A call's or change's result: the catalog and what it said of itself. */
  outcome(result) {
    const current = this.data;
    // The catalog on screen, served again from the store, is no news: it keeps
    // what it said of itself (where and when it was fetched).
    if (current && current.hash === result.hash && current.stale === result.stale && result.source === 'cache') return;
    this.meta = { hash: result.hash };
    for (const k of META) this.meta[k] = result[k];
    this.data = undefined;
    this.publish();
  }

  /** The catalog for the snapshot: the stored record with what the last outcome said of it, frozen. */
  catalog() {
    if (this.data === undefined) {
      const stored = this.client.cached();
      if (stored !== null && this.meta !== null && this.meta.hash === stored.hash) {
        for (const k of META) stored[k] = this.meta[k];
      }
      this.data = stored === null ? null : deepFreeze(stored);
    }
    return this.data;
  }

  /** The snapshot: the same object until something in it changes. */
  get() {
    this.listen();
    const data = this.catalog();
    const s = this.snapshot;
    if (s !== null && s.data === data && s.error === this.error && s.isFetching === this.fetching) return s;
    this.snapshot = Object.freeze({
      data,
      error: this.error,
      isFetching: this.fetching,
      isPending: data === null && this.error === null,
    });
    return this.snapshot;
  }

  /** Tells the listeners, when the snapshot changed. */
  publish() {
    if (this.listeners.size === 0) {
      return;
    }
    const before = this.snapshot;
    if (this.get() === before) return;
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (e) {
        console.error('resources-client: a subscribe listener threw', e);
      }
    }
  }

  /** Whether a request is (still) under way: calls not settled after a turn, or a background refresh. */
  settle() {
    this.fetching = this.background || (this.calls > 0 && this.fetching);
    this.publish();
  }

  /**
   * Follows one `fetchResources` call. `isFetching` turns on only if the call
   * is still pending after the current task: a call answered from a fresh
   * stored catalog settles before that and changes nothing a screen shows.
   */
  follow(call) {
    this.calls += 1;
    let settled = false;
    // Only a store in use (getSnapshot or subscribe was called) needs the turn.
    if (this.offChange !== null) {
      setTimeout(() => {
        if (!settled && !this.fetching) {
          this.fetching = true;
          this.publish();
        }
      }, 0);
    }
    call.then(
      (result) => {
        settled = true;
        this.calls -= 1;
        this.error = null;
        this.outcome(result);
        this.settle();
      },
      (error) => {
        settled = true;
        this.calls -= 1;
        // A caller's own abort is not a failure of the catalog.
        if (error?.code !== 'ABORTED') this.error = error;
        this.settle();
      },
    );
    return call;
  }

  /** `observe()` started a background refresh. */
  observed() {
    this.background = true;
    if (!this.fetching) {
      this.fetching = true;
      this.publish();
    }
  }

  /** The end of a request of a background refresh (its last attempt), or its failure. */
  backgroundEnded(error) {
    if (!this.background) return;
    this.background = false;
    if (error) this.error = error;
    this.settle();
  }

  /**
   * Adds a listener. The first listener of a client with no call under way
   * starts one (`fetchResources()`, which answers from a fresh stored catalog
   * without a request), unless `fetch: false`; its failure lands in `error`.
   */
  subscribe(listener, start, fetch) {
    this.listen();
    const first = this.listeners.size === 0;
    this.listeners.add(listener);
    if (first && fetch && this.calls === 0) start().catch(() => {});
    let on = true;
    return () => {
      if (on) {
        on = false;
        this.listeners.delete(listener);
      }
    };
  }
}
