// The explicit-init entry in a plain page (loaded by init.html and
// init-blocked.html, driven by tests/runtimes/browser/chromium.mjs and firefox.mjs):
// every call before init is a ResourcesError NOT_INITIALIZED, bad inputs are
// refused, then the module is started the way `?mode=` names and the catalog
// is fetched from the mock API (`?api=`). The outcome is left in window.__result.
import * as lib from '/pkg/init.js';

/** How each mode starts the module. */
const wasmUrl = new URL('/pkg/web/resources_client_bg.wasm', location.href);
const MODES = {
  default: () => lib.init(),
  url: () => lib.init(wasmUrl.href),
  'url-object': () => lib.init(wasmUrl),
  response: async () => lib.init(await fetch(wasmUrl)),
  'response-promise': () => lib.init(fetch(wasmUrl)),
  bytes: async () => lib.init(new Uint8Array(await (await fetch(wasmUrl)).arrayBuffer())),
  module: async () => lib.initSync({ module: await WebAssembly.compileStreaming(fetch(wasmUrl)) }),
};

async function codeOf(f) {
  try {
    await f();
    return 'resolved';
  } catch (e) {
    return e instanceof lib.ResourcesError ? e.code : `not a ResourcesError: ${e}`;
  }
}

async function main() {
  const params = new URLSearchParams(location.search);
  const mode = params.get('mode') ?? 'default';
  const api = params.get('api');
  const failures = [];
  const expect = async (what, f, code) => {
    const got = await codeOf(f);
    if (got !== code) failures.push(`${what}: expected ${code}, got ${got}`);
  };
  await expect('new ResourcesClient() before init', () => new lib.ResourcesClient({ baseUrl: api }), 'NOT_INITIALIZED');
  await expect('fetchResources() before init', () => lib.fetchResources({ baseUrl: api }), 'NOT_INITIALIZED');
  await expect('parseResources() before init', () => lib.parseResources('{}'), 'NOT_INITIALIZED');
  await expect('validateRunOptions() before init', () => lib.validateRunOptions({ models: [] }, 'o3'), 'NOT_INITIALIZED');
  await expect('findModel() before init (plain JS)', () => lib.findModel({ models: [] }, 'o3'), 'resolved');
  await expect('init(42)', () => lib.init(42), 'INVALID_OPTIONS');
  await expect('initSync({})', () => lib.initSync({}), 'INVALID_OPTIONS');
  await expect('init() of a missing file', () => lib.init(new URL('/pkg/web/missing.wasm', location.href)), 'INIT_FAILED');
  if (mode === 'blocked') {
    await expect('init() where the page refuses WebAssembly', () => lib.init(), 'INIT_FAILED');
    await expect('new ResourcesClient() after the failed init', () => new lib.ResourcesClient({ baseUrl: api }), 'NOT_INITIALIZED');
    return { failures };
  }
  const start = MODES[mode];
  if (!start) return { failures: [`unknown mode ${mode}`] };
  await Promise.all([start(), start()]);
  await lib.init(); // already started: resolves at once
  const client = new lib.ResourcesClient({ baseUrl: api, apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true, storage: 'memory' });
  const r = await client.fetchResources();
  await expect('a wrong key after init', () => lib.fetchResources({ baseUrl: api, apiKey: 'sk-wrong', dangerouslyAllowBrowser: true, storage: 'memory' }), 'UNAUTHORIZED_ERROR');
  return { failures, hash: r.hash, models: r.resources.models.map((m) => m.model) };
}

main().then((r) => { window.__result = r; }, (e) => { window.__result = { failures: [`threw: ${e?.stack ?? e}`] }; });
