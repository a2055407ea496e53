// What every portable suite receives: the package, the mock API and its control API.
// Suites export `tests`: an array of { name, run(ctx), only?: "browser" | "node" }.

/** Talks to the mock server's control API (see mock/README.md). */
export function controlApi(mockUrl) {
  const call = async (method, path, body) => {
    const res = await fetch(`${mockUrl}/__control/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`control ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    reset: () => call('POST', 'reset'),
    state: () => call('GET', 'state'),
    catalog: (body) => call('POST', 'catalog', body),
    faults: (...faults) => call('POST', 'faults', { faults }),
    rateLimit: (perSecond) => call('POST', 'rate-limit', { perSecond }),
    log: async () => (await call('GET', 'log')).requests,
    clearLog: () => call('DELETE', 'log'),
    /** Requests to /v1/resources in the log (preflights excluded). */
    resourceRequests: async () =>
      (await call('GET', 'log')).requests.filter((r) => r.path === '/v1/resources' && r.method === 'GET'),
  };
}

let counter = 0;
/** A storage key no other test uses. */
export function uniqueKey(prefix = 'test') {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The context handed to each test. */
export function makeContext(lib, mockUrl, environment) {
  return {
    lib,
    mockUrl,
    apiKey: 'sk-mock-demo',
    environment,
    control: controlApi(mockUrl),
    uniqueKey,
    /** Options for a client on the mock with a fresh storage key (a key in a page needs dangerouslyAllowBrowser). */
    options(extra = {}) {
      return { baseUrl: mockUrl, apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true, storageKey: uniqueKey(), retries: 0, ...extra };
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}
