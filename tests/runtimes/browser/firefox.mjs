// Runs the portable suites of tests/suites/ in headless Firefox (Debian's
// firefox-esr through geckodriver, plain WebDriver), on the same page as
// tests/runtimes/browser/chromium.mjs: the page comes from one local server and the mock
// API from another, so every call is cross-origin.
// Run: node tests/runtimes/browser/firefox.mjs [name filter]   (after ./run build)
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startMockServer } from '../../../mock/server.mjs';
import { startDriver, newSession } from './webdriver.mjs';
import { INIT_PAGES, checkInitResult } from './init-pages.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const suitesDir = fileURLToPath(new URL('../../suites/', import.meta.url));
const filter = process.argv[2] ?? '';
export const FIREFOX = '/usr/bin/firefox-esr';
const geckodriver = process.env.GECKODRIVER || execFileSync('sh', ['-c', 'command -v geckodriver']).toString().trim();

const api = await startMockServer({ port: 0 });
const site = await startMockServer({ port: 0, staticDir: root, pkgDir: `${root}pkg` });
const driver = await startDriver(geckodriver);
let session = null;
let passed = 0;
let failed = 0;
try {
  session = await newSession(driver.url, {
    browserName: 'firefox',
    'moz:firefoxOptions': { binary: FIREFOX, args: ['-headless'], prefs: { 'network.proxy.type': 0 } },
  });
  console.log(`# firefox ${session.capabilities.browserVersion}`);
  await session.setTimeouts({ script: 180_000, pageLoad: 60_000 });
  await session.navigate(`${site.url}/tests/runtimes/browser/index.html`);
  // Bounded wait for the page's module: 200 x 100 ms.
  for (let i = 0; !(await session.execute('return window.__ready === true')); i += 1) {
    if (i === 200) throw new Error('the test page did not get ready within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const files = readdirSync(suitesDir).filter((f) => f.endsWith('.suite.mjs')).sort();
  for (const file of files) {
    const names = await session.executeAsync('const [f, done] = arguments; window.__listTests(f).then(done)', [file]);
    for (const name of names) {
      const label = `${file.replace('.suite.mjs', '')}: ${name}`;
      if (filter && !label.includes(filter)) continue;
      let outcome;
      try {
        outcome = await session.executeAsync(
          'const [f, n, u, done] = arguments; window.__runTest(f, n, u).then(done, (e) => done({ ok: false, message: String(e) }))',
          [file, name, api.url]);
      } catch (e) {
        outcome = { ok: false, message: String(e?.message ?? e) };
      }
      if (outcome?.ok) {
        passed += 1;
        console.log(`ok - [firefox] ${label}`);
      } else {
        failed += 1;
        console.log(`not ok - [firefox] ${label}\n  ${String(outcome?.message).replaceAll('\n', '\n  ')}`);
      }
    }
  }
  // The explicit-init entry (resources-client/init), one fresh page load per way to start it.
  for (const [label, pagePath] of INIT_PAGES) {
    if (filter && !label.includes(filter)) continue;
    try {
      await session.navigate(`${site.url}${pagePath}&api=${encodeURIComponent(api.url)}`);
      let result;
      for (let i = 0; (result = await session.execute('return window.__result ?? null')) === null; i += 1) {
        if (i === 300) throw new Error('the page left no result within 30 s');
        await new Promise((r) => setTimeout(r, 100));
      }
      await checkInitResult(pagePath, result, api.url);
      passed += 1;
      console.log(`ok - [firefox] ${label}`);
    } catch (e) {
      failed += 1;
      console.log(`not ok - [firefox] ${label}\n  ${String(e?.message ?? e).replaceAll('\n', '\n  ')}`);
    }
  }
} catch (e) {
  failed += 1;
  console.log(`not ok - [firefox] run\n  ${String(e?.stack ?? e).replaceAll('\n', '\n  ')}\n  ${driver.log().slice(-2000).replaceAll('\n', '\n  ')}`);
} finally {
  await session?.quit();
  await driver.close();
  await api.close();
  await site.close();
}
console.log(`firefox: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
