// The default entry (/pkg/index.js) in a plain page, loaded by load.html and
// load-blocked.html (driven by tests/runtimes/browser/chromium.mjs and firefox.mjs). The
// static import below must never fail because of the WebAssembly: where the
// page refuses it (?mode=blocked, a policy without 'wasm-unsafe-eval'), this
// module still runs and the first calls are ResourcesErrors with code
// INIT_FAILED. Otherwise the catalog is fetched from the mock API (?api=), and
// the page must have requested nothing of the package but index.js.
import * as lib from '/pkg/index.js';

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
  const api = params.get('api');
  const failures = [];
  const expect = async (what, f, code) => {
    const got = await codeOf(f);
    if (got !== code) failures.push(`${what}: expected ${code}, got ${got}`);
  };
  const options = { baseUrl: api, apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true, storage: 'memory' };
  if (params.get('mode') === 'blocked') {
    await expect('new ResourcesClient() where WebAssembly is refused', () => new lib.ResourcesClient(options), 'INIT_FAILED');
    await expect('fetchResources() where WebAssembly is refused', () => lib.fetchResources(options), 'INIT_FAILED');
    await expect('parseResources() where WebAssembly is refused', () => lib.parseResources('{}'), 'INIT_FAILED');
    await expect('findModel() (plain JS) still works', () => lib.findModel({ models: [] }, 'o3'), 'resolved');
    try {
      await lib.fetchResources(options);
    } catch (e) {
      if (!/WebAssembly/.test(e.message)) failures.push(`the message does not say why: ${e.message}`);
      if (e.status !== 0) failures.push(`status ${e.status}`);
    }
    return { failures };
  }
  const r = await new lib.ResourcesClient(options).fetchResources();
  const fromPackage = performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.startsWith('/pkg/'));
  if (fromPackage.join() !== '/pkg/index.js') failures.push(`the page requested ${fromPackage.join(', ')} of the package, not index.js alone`);
  return { failures, hash: r.hash, models: r.resources.models.map((m) => m.model) };
}

main().then((r) => { window.__result = r; }, (e) => { window.__result = { failures: [`threw: ${e?.stack ?? e}`] }; });
