// The page checks of the package's entries (tests/runtimes/browser/init-page.js for the
// explicit-init entry, load-page.js and service-worker.html for the default
// one) and of a trap (trap-page.js), shared by the Chromium and Firefox runners: which pages to load and what
// each must show.
import { controlApi } from '../../suites/harness.mjs';

/** [label, page path with query (the API's URL is added)] */
export const INIT_PAGES = [
  ...['default', 'url', 'url-object', 'response', 'response-promise', 'bytes', 'module'].map((mode) => [
    `init entry under a strict CSP: start by ${mode}, calls before init are NOT_INITIALIZED`,
    `/tests/runtimes/browser/init.html?mode=${mode}`,
  ]),
  ['init entry where the CSP refuses WebAssembly: INIT_FAILED, still NOT_INITIALIZED', '/tests/runtimes/browser/init-blocked.html?mode=blocked'],
  // The default entry: one file, no top-level await.
  ['default entry under a strict CSP, preloaded: the catalog, and index.js is the only file of the package requested, once', '/tests/runtimes/browser/load.html?mode=ok'],
  ['default entry where the CSP refuses WebAssembly: the import succeeds, the first calls are INIT_FAILED', '/tests/runtimes/browser/load-blocked.html?mode=blocked'],
  ['default entry in a module service worker: it starts and answers with the catalog', '/tests/runtimes/browser/service-worker.html?mode=worker'],
  // Where a catalog is kept: IndexedDB, the default store of workers.
  ['a dedicated worker restarted within maxAgeMs answers from IndexedDB with no request; a corrupt record is ignored; a page client hears a worker\'s write', '/tests/runtimes/browser/worker-storage.html?mode=worker'],
  // A trap of the module (its memory exhausted): INTERNAL_ERROR, then a fresh instance.
  ['a call that traps throws INTERNAL_ERROR; the client reads its catalog and fetches in a fresh instance', '/tests/runtimes/browser/trap.html?mode=trap'],
];

/** Throws unless the page's outcome is right. */
export async function checkInitResult(pagePath, result, apiUrl) {
  if (!result) throw new Error('the page left no result');
  if (result.failures.length > 0) throw new Error(result.failures.join('\n'));
  if (pagePath.includes('mode=blocked')) return;
  const { hash } = await controlApi(apiUrl).state();
  if (result.hash !== hash) throw new Error(`hash ${result.hash}, the mock has ${hash}`);
  if (!result.models.includes('gpt-image-1') || !result.models.includes('sora-2')) throw new Error(`models ${result.models}`);
}
