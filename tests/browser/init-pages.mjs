// The explicit-init entry's page checks (tests/browser/init-page.js), shared by
// the Chromium and Firefox runners: which pages to load and what each must show.
import { controlApi } from '../js/harness.mjs';

/** [label, page path with query (the API's URL is added)] */
export const INIT_PAGES = [
  ...['default', 'url', 'url-object', 'response', 'response-promise', 'bytes', 'module'].map((mode) => [
    `init entry under a strict CSP: start by ${mode}, calls before init are NOT_INITIALIZED`,
    `/tests/browser/init.html?mode=${mode}`,
  ]),
  ['init entry where the CSP refuses WebAssembly: INIT_FAILED, still NOT_INITIALIZED', '/tests/browser/init-blocked.html?mode=blocked'],
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
