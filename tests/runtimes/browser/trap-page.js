// A real trap in a page (trap.html, driven by chromium.mjs and firefox.mjs
// through init-pages.mjs): the module's memory is grown to its limit, then a
// call needs 20 MB more. The call must throw a ResourcesError with code
// INTERNAL_ERROR; the client made before it must read its stored catalog in the
// fresh instance and fetch again; nothing may throw on the page.
import * as lib from '/pkg/index.js';

async function main() {
  const params = new URLSearchParams(location.search);
  const failures = [];
  const errors = [];
  window.addEventListener('error', (e) => errors.push(String(e.message)));
  window.addEventListener('unhandledrejection', (e) => errors.push(String(e.reason)));
  const client = new lib.ResourcesClient({
    baseUrl: params.get('api'), apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true,
    storageKey: `trap-${Date.now()}-${Math.random()}`, retries: 0,
  });
  const first = await client.fetchResources();
  const memory = window.__memories.at(-1);
  for (let step = 16384; step >= 1;) {
    try {
      memory.grow(step);
    } catch {
      step >>= 1;
    }
  }
  try {
    lib.validateRunOptions(first.resources, 'x'.repeat(20e6), {});
    failures.push('the call that needed 20 MB more did not fail');
  } catch (e) {
    if (!(e instanceof lib.ResourcesError) || e.code !== 'INTERNAL_ERROR' || e.retryable !== true) {
      failures.push(`the trapped call threw ${e?.name} ${e?.code} ${e?.message}`);
    }
  }
  if (window.__memories.length !== 1) failures.push(`${window.__memories.length} instances before the next call`);
  const cached = client.cached();
  if (cached?.hash !== first.hash) failures.push(`cached() in the fresh instance: ${cached?.hash}, stored ${first.hash}`);
  if (window.__memories.length !== 2) failures.push(`${window.__memories.length} instances after the next call, expected 2`);
  const again = await client.fetchResources({ refresh: true });
  await new Promise((resolve) => setTimeout(resolve, 100));
  if (errors.length > 0) failures.push(`errors on the page: ${errors.join('; ')}`);
  return { failures, hash: again.hash, models: again.resources.models.map((m) => m.model) };
}

main().then((r) => { window.__result = r; }, (e) => { window.__result = { failures: [`threw: ${e?.stack ?? e}`] }; });
