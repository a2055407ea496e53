// Consumer tests of the published package: `npm pack` pkg/, install the tarball
// into throw-away projects and use it the ways users do: Node ESM and CommonJS,
// a Vite build (and the Vite dev server with the README's setting) in headless
// Chromium, a plain <script type="module"> page, the TypeScript checks, and the
// command-line tool. Servers bind 127.0.0.1 and are stopped at the end.
// Run: node tests/package/consumer/run.mjs [name filter]   (after ./run build)
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { startMockServer } from '../../../mock/server.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('./', import.meta.url));
const pkgDir = path.join(root, 'pkg');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const filter = process.argv[2] ?? '';
const API_KEY = 'sk-mock-demo';

/** Chromium flags for a root user on a machine with no outside network (as tests/runtimes/browser/chromium.mjs). */
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function check(condition, message) {
  if (!condition) throw new Error(message);
}
function equal(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  check(a === e, `${what}: expected ${e}, got ${a}`);
}

/** Runs a command; resolves to { code, stdout, stderr } without throwing on a non-zero exit. */
async function exec(file, args, options = {}) {
  try {
    const { stdout, stderr } = await run(file, args, { timeout: 120_000, maxBuffer: 16 << 20, ...options });
    return { code: 0, stdout, stderr };
  } catch (e) {
    if (typeof e.code !== 'number') throw e;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
async function execOk(file, args, options) {
  const r = await exec(file, args, options);
  check(r.code === 0, `${path.basename(file)} ${args.join(' ')} exited ${r.code}\n${r.stderr}${r.stdout}`);
  return r;
}

/** A throw-away project with the tarball installed. */
async function makeProject(tmp, name, tarball, packageJson = {}) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module', ...packageJson }));
  await execOk('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', '--loglevel=error', tarball], { cwd: dir });
  return dir;
}

/** The file store's catalog records in `dir` (not the storage's salt), as paths. */
function catalogRecords(dir) {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.record.json')).map((f) => path.join(dir, f)).filter((file) => {
    try {
      return JSON.parse(JSON.parse(fs.readFileSync(file, 'utf8')).value).v !== undefined;
    } catch {
      return false;
    }
  });
}

/** What every consumer script and page must have seen. */
function checkSeen(seen, where) {
  check(seen && typeof seen === 'object', `${where}: no result`);
  check(seen.ok !== false, `${where}: failed: ${seen.error}`);
  equal(seen.before, null, `${where}: hash before the first fetch`);
  check(typeof seen.hash === 'string' && seen.hash.length > 0, `${where}: no hash`);
  check(seen.models.includes('gpt-image-1') && seen.models.includes('sora-2'), `${where}: models ${seen.models}`);
  equal(seen.agent, { 'cli-agent': `resources_hash=${seen.hash}` }, `${where}: agentHeaders()`);
  equal(seen.errorCode, 'UNAUTHORIZED_ERROR', `${where}: error code of a wrong key`);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resources-client-consumers-'));
const api = await startMockServer({ port: 0, apiKey: API_KEY });
const servers = [api];
let browser = null;
const results = [];

async function test(name, fn) {
  if (filter && !name.includes(filter)) return;
  try {
    await fn();
    results.push(true);
    console.log(`ok - ${name}`);
  } catch (e) {
    results.push(false);
    console.log(`not ok - ${name}\n  ${String(e?.stack ?? e).replaceAll('\n', '\n  ')}`);
  }
}

async function getBrowser() {
  browser ??= await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  return browser;
}

/** Loads a page in Chromium and returns its window.__result (page errors fail the test). */
async function loadPage(url) {
  const page = await (await getBrowser()).newPage();
  const errors = [];
  let failPage;
  const pageFailed = new Promise((_, reject) => { failPage = reject; });
  page.on('pageerror', (e) => {
    errors.push(String(e));
    failPage(new Error(`page error: ${e}`));
  });
  try {
    await page.goto(url);
    // A page error ends the wait at once instead of at the timeout.
    await Promise.race([
      page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 }),
      pageFailed,
    ]);
    const seen = await page.evaluate(() => window.__result);
    check(errors.length === 0, `page errors: ${errors.join('\n')}`);
    return seen;
  } finally {
    await page.close();
  }
}

// A browser downloads the entry alone: the glue, the lookups and the module's bytes are in it.
const BROWSER_FILES = ['index.js'];

try {
  // ---- the package itself -------------------------------------------------
  check(fs.existsSync(path.join(pkgDir, 'package.json')), 'pkg/ is missing: run ./run build first');
  const packed = JSON.parse((await execOk('npm', ['pack', pkgDir, '--pack-destination', tmp, '--json', '--loglevel=error'], { cwd: tmp })).stdout)[0];
  const tarball = path.join(tmp, packed.filename);

  await test('package: the tarball holds exactly the listed files, one wasm module', async () => {
    const files = packed.files.map((f) => f.path).sort();
    const wasm = files.filter((f) => f.endsWith('.wasm'));
    equal(wasm, ['web/resources_client_bg.wasm'], 'one wasm file (Node.js, Workers and the init entry load it; index.js holds its bytes)');
    for (const f of ['package.json', 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE', 'CHANGELOG.md', 'index.js', 'index.mjs', 'index.cjs', 'index.d.ts', 'index.d.cts', 'cli.cjs', 'file-storage.cjs', 'file-storage.mjs', 'file-storage.d.ts', 'react.js', 'react.cjs', 'react.d.ts',
      'init.js', 'init.node.mjs', 'init.cjs', 'init.d.ts', 'init.d.cts', 'workerd.js']) {
      check(files.includes(f), `tarball lacks ${f}`);
    }
    check(!files.some((f) => f.endsWith('resources_client.d.ts')), 'the generated wasm-bindgen declarations are not shipped');
    const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    const cargoVersion = /^version = "([^"]+)"/m.exec(fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8'))[1];
    equal([manifest.name, manifest.version], ['resources-client', cargoVersion], 'name and version (from Cargo.toml)');
    check(manifest.license === 'MIT OR Apache-2.0' && manifest.bin?.['resources-client'] === './cli.cjs', 'license and bin');
    check(manifest.types === './index.d.ts' && manifest.engines?.node === '>=20', 'types and engines');
    check(Array.isArray(manifest.sideEffects) && Array.isArray(manifest.keywords) && manifest.keywords.length > 0, 'sideEffects and keywords');
    const gz = BROWSER_FILES.map((f) => zlib.gzipSync(fs.readFileSync(path.join(pkgDir, f)), { level: 9 }).length);
    const raw = BROWSER_FILES.map((f) => fs.statSync(path.join(pkgDir, f)).size);
    const sum = (xs) => xs.reduce((a, b) => a + b, 0);
    console.log(`# tarball ${packed.size} bytes (${packed.unpackedSize} unpacked, ${files.length} files)`);
    console.log(`# browser download (${BROWSER_FILES.join(' + ')}): ${sum(raw)} bytes, ${sum(gz)} gzip -9`);
    // The package README's figure ("about N KB gzipped") must stay true.
    const stated = /about (\d+) KB gzipped/.exec(fs.readFileSync(path.join(pkgDir, 'README.md'), 'utf8'));
    check(stated, 'the README states the gzip size');
    const ratio = (Number(stated[1]) * 1000) / sum(gz);
    check(ratio > 0.95 && ratio < 1.05, `the README says about ${stated[1]} KB gzipped; measured ${sum(gz)} bytes`);
  });

  await test('package: the README is for users, its links work on a registry page; licences and changelog', async () => {
    const readme = fs.readFileSync(path.join(pkgDir, 'README.md'), 'utf8');
    const headings = [...readme.matchAll(/^(#{1,3}) (.+)$/gm)].map((m) => m[2]);
    equal(headings.slice(0, 3), ['resources-client', 'Install', 'Quick start'], 'the README opens with install and a quick start');
    check(/^```sh\nnpm install resources-client\n```$/m.test(readme), 'the install command');
    check(!readme.includes('./run') && !/\bcargo\b/.test(readme), 'no commands for developing the package');
    // A registry page has no repository to resolve relative links against:
    // every link is absolute, or an anchor of a heading on the page.
    const slug = (h) => h.toLowerCase().replace(/`/g, '').replace(/[^\w\- ]/g, '').replace(/ /g, '-');
    const anchors = new Set(headings.map(slug));
    for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (target.startsWith('#')) check(anchors.has(target.slice(1)), `README link to a missing heading: ${target}`);
      else check(/^https:\/\//.test(target), `README link that breaks on a registry page: ${target}`);
    }
    check(!/<img|!\[/.test(readme), 'no images (none is shipped)');
    check(fs.readFileSync(path.join(pkgDir, 'LICENSE-MIT'), 'utf8').startsWith('MIT License'), 'LICENSE-MIT');
    check(fs.readFileSync(path.join(pkgDir, 'LICENSE-APACHE'), 'utf8').includes('Apache License'), 'LICENSE-APACHE');
    const changelog = fs.readFileSync(path.join(pkgDir, 'CHANGELOG.md'), 'utf8');
    const cargoVersion = /^version = "([^"]+)"/m.exec(fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8'))[1];
    check(changelog.startsWith('# Changelog') && changelog.includes(`## ${cargoVersion}`), 'CHANGELOG.md names the version');
    // The repository's own README keeps the two commands on its first screen.
    const repoTop = fs.readFileSync(path.join(root, 'README.md'), 'utf8').split('\n').slice(0, 20).join('\n');
    check(repoTop.includes('./run demo') && repoTop.includes('./run test'), 'the repository README opens with ./run demo and ./run test');
  });

  await test('package: the public declarations contain no `any`', async () => {
    const text = fs.readFileSync(path.join(pkgDir, 'index.d.ts'), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    check(!/\bany\b/.test(text), 'index.d.ts uses `any`');
    equal(fs.readFileSync(path.join(pkgDir, 'index.d.cts'), 'utf8'), fs.readFileSync(path.join(pkgDir, 'index.d.ts'), 'utf8'), 'index.d.cts');
  });

  const node = await makeProject(tmp, 'node-consumer', tarball);
  fs.copyFileSync(path.join(here, 'node-esm.mjs'), path.join(node, 'esm.mjs'));
  fs.copyFileSync(path.join(here, 'node-cjs.cjs'), path.join(node, 'cjs.cjs'));

  // ---- the README's examples, as written ----------------------------------
  // Blocks marked `<!-- test: NAME -->` in the packed README are saved as NAME
  // in the Node project and run there.
  const readmeBlocks = new Map();
  for (const m of fs.readFileSync(path.join(pkgDir, 'README.md'), 'utf8').matchAll(/<!-- test: (\S+) -->\n```\w*\n([\s\S]*?)\n```/g)) {
    readmeBlocks.set(m[1], m[2]);
    fs.writeFileSync(path.join(node, m[1]), `${m[2]}\n`);
  }

  await test('readme: the Node quick starts (ESM and CommonJS) run, and print an API error once', async () => {
    equal([...readmeBlocks.keys()].sort(), ['proxy.mjs', 'quick-start.cjs', 'quick-start.mjs'], 'tested README blocks');
    for (const file of ['quick-start.mjs', 'quick-start.cjs']) {
      const env = { ...process.env, RESOURCES_API_KEY: API_KEY, RESOURCES_BASE_URL: api.url };
      const ok = await execOk(process.execPath, [file], { cwd: node, env });
      check(ok.stdout.includes('gpt-image-1') || /^\d+ models$/m.test(ok.stdout), `${file} output: ${ok.stdout}`);
      const wrong = await exec(process.execPath, [file], { cwd: node, env: { ...env, RESOURCES_API_KEY: 'sk-wrong' } });
      equal(wrong.code, 1, `${file} exit code with a wrong key`);
      check(wrong.stderr.startsWith('could not load the catalog: UNAUTHORIZED_ERROR (HTTP 401)')
        && wrong.stderr.split('UNAUTHORIZED_ERROR').length === 2, `${file} names the code once: ${wrong.stderr}`);
    }
  });

  await test('readme: the key-adding proxy serves a client that has no key', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['proxy.mjs'], {
      cwd: node, env: { ...process.env, RESOURCES_API_KEY: API_KEY, RESOURCES_BASE_URL: api.url, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const proxyBase = await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => { out += d; const m = /proxy on (\S+)/.exec(out); if (m) resolve(m[1]); });
        child.once('exit', (code) => reject(new Error(`the proxy exited with ${code}`)));
      });
      await fetch(`${api.url}/__control/reset`, { method: 'POST' });
      const script = [
        "import { ResourcesClient } from 'resources-client';",
        // Outside a page, a client with no key says so (apiKey: null), or it fails with MISSING_API_KEY.
        `const client = new ResourcesClient({ baseUrl: ${JSON.stringify(proxyBase)}, apiKey: null, storage: 'memory' });`,
        'const first = await client.fetchResources();',
        'const second = await client.fetchResources();',
        'console.log(JSON.stringify({ hash: first.hash, models: first.resources.models.length, again: second.hash }));',
      ].join('\n');
      fs.writeFileSync(path.join(node, 'through-proxy.mjs'), script);
      const r = await execOk(process.execPath, ['through-proxy.mjs'], { cwd: node, env: { ...process.env, RESOURCES_API_KEY: '' } });
      const seen = JSON.parse(r.stdout);
      check(seen.models > 0 && seen.again === seen.hash, `through the proxy: ${r.stdout}`);
      const log = (await (await fetch(`${api.url}/__control/log`)).json()).requests.filter((q) => q.path === '/v1/resources');
      equal(log.map((q) => q.headers.authorization), ['Bearer <redacted>', 'Bearer <redacted>'], 'the proxy added the key');
      equal(log[1].headers['cli-agent'], `resources_hash=${seen.hash}`, 'cli-agent passed through the proxy');
    } finally {
      child.kill();
    }
  });

  // ---- Node ---------------------------------------------------------------
  await test('node: import (ESM)', async () => {
    const r = await execOk(process.execPath, ['esm.mjs', api.url], { cwd: node });
    checkSeen(JSON.parse(r.stdout), 'node ESM');
  });

  await test('node: require (CommonJS), same classes as import', async () => {
    const r = await execOk(process.execPath, ['cjs.cjs', api.url], { cwd: node });
    const seen = JSON.parse(r.stdout);
    checkSeen(seen, 'node CommonJS');
    equal(seen.sameClasses, true, 'require() and import() give the same classes');
  });

  // ---- TypeScript ---------------------------------------------------------
  await test('types: consumer and misuses compile under --strict (nodenext ESM, CommonJS, bundler)', async () => {
    for (const f of ['consumer.ts', 'misuse.ts', 'dispose.ts']) fs.copyFileSync(path.join(root, 'tests', 'package', 'types', f), path.join(node, f));
    // The same consumer as a CommonJS module: resolved through the "require" types.
    fs.copyFileSync(path.join(root, 'tests', 'package', 'types', 'consumer.ts'), path.join(node, 'consumer-cjs.cts'));
    const common = ['--strict', '--noEmit', '--target', 'es2022', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];
    await execOk(process.execPath, [tsc, ...common, '--exactOptionalPropertyTypes', '--module', 'nodenext', '--moduleResolution', 'nodenext', 'consumer.ts', 'misuse.ts', 'consumer-cjs.cts'], { cwd: node });
    await execOk(process.execPath, [tsc, ...common, '--module', 'esnext', '--moduleResolution', 'bundler', 'consumer.ts', 'misuse.ts'], { cwd: node });
    // `using` needs the esnext lib (Disposable); the declarations compile with and without it.
    await execOk(process.execPath, [tsc, '--strict', '--noEmit', '--target', 'es2022', '--lib', 'esnext,dom', '--skipLibCheck', 'false', '--module', 'nodenext', '--moduleResolution', 'nodenext', 'dispose.ts', 'consumer.ts'], { cwd: node });
  });

  // Every JavaScript and TypeScript block of the package README compiles under
  // --strict, against the packed package's declarations: an example cannot rot.
  // Blocks are modules; the names a fragment takes from the text around it
  // (`client`, `resources`, ...) are declared once, here.
  await test('readme: every js, jsx and ts block type-checks under tsc --strict', async () => {
    const dir = path.join(node, 'readme');
    fs.mkdirSync(dir, { recursive: true });
    // React's types, for the jsx blocks (the package's own React entry is typed against them).
    fs.mkdirSync(path.join(node, 'node_modules', '@types'), { recursive: true });
    for (const t of ['react', 'node', 'undici-types']) {
      const scoped = t !== 'undici-types';
      const link = path.join(node, 'node_modules', ...(scoped ? ['@types', t] : [t]));
      if (!fs.existsSync(link)) fs.symlinkSync(path.join(root, 'node_modules', ...(scoped ? ['@types', t] : [t])), link);
    }
    const readme = fs.readFileSync(path.join(pkgDir, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/^```(js|jsx|ts)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], code: m[2], line: readme.slice(0, m.index).split('\n').length + 1 }));
    check(blocks.length >= 15, `only ${blocks.length} blocks found`);
    fs.writeFileSync(path.join(dir, 'context.d.ts'), [
      '// What the README\'s fragments take from the text around them.',
      "import type * as lib from 'resources-client';",
      'declare global {',
      '  const client: lib.ResourcesClient;',
      '  const resources: lib.Resources;',
      '  const before: lib.Resources;',
      '  const apiKey: string;',
      '  const base: string;',
      '  const authorization: string;',
      '  const headers: Record<string, string>;',
      '  const ResourcesClient: typeof lib.ResourcesClient;',
      '  const ResourcesError: typeof lib.ResourcesError;',
      '  const parseResources: typeof lib.parseResources;',
      '  const after: lib.Resources;',
      '  function shallowRef<T>(value: T): { value: T };',
      '  function onUnmounted(f: () => void): void;',
      '  function showBilling(): void;',
      '  function render(resources: unknown): void;',
      '}',
      'export {};', '',
    ].join('\n'));
    // Modules a framework block imports, declared as the framework does (an ambient file, not a module).
    fs.writeFileSync(path.join(dir, 'frameworks.d.ts'),
      "declare module 'svelte/store' { export function readable<T>(value: T, start: (set: (value: T) => void) => () => void): { subscribe(run: (value: T) => void): () => void }; }\n");
    const files = ['context.d.ts', 'frameworks.d.ts'];
    // Blocks that are declarations of signatures, not code, are shown as such.
    const signatures = /^(init|initSync)\(|^interface /m;
    for (const [i, b] of blocks.entries()) {
      if (b.lang === 'ts' && signatures.test(b.code)) continue;
      // JavaScript blocks are checked as JavaScript (checkJs), as an editor checks them.
      const file = `block-${String(i).padStart(2, '0')}-line-${b.line}.${b.lang}`;
      fs.writeFileSync(path.join(dir, file), `${b.code}\nexport {};\n`);
      files.push(file);
    }
    const r = await exec(process.execPath, [tsc, '--strict', '--noEmit', '--target', 'es2022', '--lib', 'es2022,dom', '--module', 'esnext',
      '--moduleResolution', 'bundler', '--jsx', 'react-jsx', '--allowJs', '--checkJs', '--skipLibCheck', '--types', 'react,node', ...files], { cwd: dir });
    check(r.code === 0, `README blocks that do not compile (file names give the README line):\n${r.stdout}${r.stderr}`);
  });

  await test('types: a misuse that compiles fails the check', async () => {
    const probe = path.join(node, 'probe.ts');
    fs.writeFileSync(probe, "import { ResourcesClient } from 'resources-client';\n// @ts-expect-error\nconst h: string | null = new ResourcesClient().hash;\nvoid h;\n");
    const r = await exec(process.execPath, [tsc, '--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2022,dom', 'probe.ts'], { cwd: node });
    check(r.code !== 0 && r.stdout.includes('TS2578'), `expected an unused @ts-expect-error, got exit ${r.code}: ${r.stdout}`);
  });

  // ---- the explicit-init entry (resources-client/init) -----------------------
  await test('init entry: types compile under --strict (nodenext ESM, CommonJS, bundler); misuses do not', async () => {
    fs.copyFileSync(path.join(root, 'tests', 'package', 'types', 'init.ts'), path.join(node, 'init.ts'));
    fs.copyFileSync(path.join(root, 'tests', 'package', 'types', 'init.ts'), path.join(node, 'init-cjs.cts'));
    const common = ['--strict', '--noEmit', '--target', 'es2022', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];
    await execOk(process.execPath, [tsc, ...common, '--module', 'nodenext', '--moduleResolution', 'nodenext', 'init.ts'], { cwd: node });
    await execOk(process.execPath, [tsc, ...common, '--module', 'esnext', '--moduleResolution', 'bundler', 'init.ts'], { cwd: node });
    await execOk(process.execPath, [tsc, ...common, '--module', 'nodenext', '--moduleResolution', 'nodenext', 'init-cjs.cts'], { cwd: node });
  });

  await test('init entry in Node: import and require resolve it, the same classes as the default entry', async () => {
    const script = [
      "import { createRequire } from 'node:module';",
      "import * as init from 'resources-client/init';",
      "import * as main from 'resources-client';",
      'const require = createRequire(import.meta.url);',
      "const cjs = require('resources-client/init');",
      'await init.init();',
      'init.initSync({ module: new Uint8Array(8) });',
      "const bad = await init.init(42).then(() => null, (e) => [e instanceof main.ResourcesError, e.code]);",
      "const badSync = (() => { try { init.initSync({}); return null; } catch (e) { return [e instanceof main.ResourcesError, e.code]; } })();",
      'const r = await new init.ResourcesClient({ baseUrl: process.argv[2], apiKey: process.argv[3], storage: "memory" }).fetchResources();',
      'console.log(JSON.stringify({ same: init.ResourcesClient === main.ResourcesClient && cjs.ResourcesError === main.ResourcesError && cjs.init === init.init,',
      '  bad, badSync, hash: r.hash, wasm: require.resolve("resources-client/web/resources_client_bg.wasm").endsWith("resources_client_bg.wasm") }));',
    ].join('\n');
    fs.writeFileSync(path.join(node, 'init-node.mjs'), script);
    const seen = JSON.parse((await execOk(process.execPath, ['init-node.mjs', api.url, API_KEY], { cwd: node })).stdout);
    equal(seen.same, true, 'one module instance for both entries and both forms');
    equal(seen.bad, [true, 'INVALID_OPTIONS'], 'init(42)');
    equal(seen.badSync, [true, 'INVALID_OPTIONS'], 'initSync({})');
    equal(seen.wasm, true, 'the .wasm is importable as resources-client/web/resources_client_bg.wasm');
    equal(seen.hash, (await (await fetch(`${api.url}/__control/state`)).json()).hash, 'hash');
  });

  // ---- command-line tool --------------------------------------------------
  await test('cli: table, JSON, --modality, hash file reused with cli-agent, wrong key, usage', async () => {
    const cli = path.join(node, 'node_modules', '.bin', 'resources-client');
    const cache = path.join(tmp, 'xdg-cache');
    const env = { ...process.env, XDG_CACHE_HOME: cache, RESOURCES_API_KEY: API_KEY };
    await fetch(`${api.url}/__control/reset`, { method: 'POST' });

    const table = await execOk(cli, ['models', '--base-url', api.url], { env });
    const lines = table.stdout.trimEnd().split('\n');
    check(/^MODEL\s+MODALITY\s+RUN OPTIONS$/.test(lines[0]), `table header: ${lines[0]}`);
    check(lines.some((l) => /^gpt-image-1\s+image\s+quality: low\|medium\|high; size: /.test(l)), `table rows:\n${table.stdout}`);
    check(lines.some((l) => /^gpt-4o\s+text\s+-$/.test(l)), 'a model without run options shows -');
    check(!table.stderr.includes('⠋') && !table.stderr.includes('\r'), 'no spinner when stderr is not a terminal');

    const dir = path.join(cache, 'resources-client');
    const records = catalogRecords(dir);
    equal(records.length, 1, 'one catalog record (beside the storage\'s salt)');
    const file = records[0];
    equal((fs.statSync(dir).mode & 0o777).toString(8), '700', 'cache directory mode');
    equal((fs.statSync(file).mode & 0o777).toString(8), '600', 'cache file mode');
    const stored = fs.readFileSync(file, 'utf8');
    check(!stored.includes(API_KEY), 'the key is not in the cache file');
    check(fs.readdirSync(dir).every((f) => !f.endsWith('.tmp')), 'no temporary file left behind');

    const json = await execOk(cli, ['models', '--json', '--modality', 'image', '--base-url', api.url, '--api-key', API_KEY], { env: { ...env, RESOURCES_API_KEY: '' } });
    const result = JSON.parse(json.stdout);
    equal(result.resources.models.map((m) => m.model), ['gpt-image-1', 'gemini-3-pro-image-preview'], '--modality image');
    equal([result.source, result.changed], ['network', false], 'second run: from the network, unchanged');
    check(stored.includes(result.hash) && result.previousHash === result.hash, 'the stored hash was reused');
    const log = (await (await fetch(`${api.url}/__control/log`)).json()).requests.filter((r) => r.path === '/v1/resources');
    equal(log.length, 2, 'requests to /v1/resources');
    equal(log[0].headers['cli-agent'], undefined, 'first run: no cli-agent yet');
    equal(log[1].headers['cli-agent'], `resources_hash=${result.hash}`, 'second run: cli-agent from the hash file');
    check(!json.stdout.includes(API_KEY) && !json.stderr.includes(API_KEY), 'the key is not printed');

    const wrong = await exec(cli, ['models', '--base-url', api.url, '--api-key', 'sk-wrong-key'], { env });
    equal(wrong.code, 1, 'exit code of an API error');
    check(wrong.stderr.startsWith('error: UNAUTHORIZED_ERROR') && wrong.stderr.split('UNAUTHORIZED_ERROR').length === 2,
      `stderr of an API error names the code once, first: ${wrong.stderr}`);
    check(!wrong.stderr.includes('sk-wrong-key') && wrong.stdout === '', 'the key is not printed; nothing on stdout');
    check(fs.readFileSync(file, 'utf8').includes(result.hash), 'a failure keeps the stored hash');

    const usage = await exec(cli, ['models', '--colour'], { env });
    equal(usage.code, 2, 'exit code of a usage error');
    check(usage.stderr.startsWith('error: USAGE: unknown option --colour'), `stderr of a usage error: ${usage.stderr}`);
    const missing = await exec(cli, [], { env });
    equal(missing.code, 2, 'exit code without a command');
    const help = await execOk(cli, ['--help'], { env });
    check(help.stdout.includes('RESOURCES_API_KEY') && help.stdout.includes('RESOURCES_BASE_URL') && help.stdout.includes('--cache-dir'), 'help text');
    const fromStore = await execOk(cli, ['resources', '--base-url', api.url], { env });
    check(/^MODEL\s+MODALITY/.test(fromStore.stdout) && fromStore.stderr.includes('(stored)'), `resources serves the stored catalog to its key: ${fromStore.stderr}`);
    // The stored catalog belongs to the key that fetched it: a run without a key has none.
    const keyless = await exec(cli, ['resources', '--base-url', api.url], { env: { ...env, RESOURCES_API_KEY: '' } });
    equal(keyless.code, 2, 'a keyless run gets no other key\'s catalog');
    check(keyless.stderr.includes('no API key') && keyless.stdout === '', `keyless: ${keyless.stderr}`);
  });

  await test('cli: --cache-dir, and a record file that is not JSON is ignored and replaced', async () => {
    const cli = path.join(node, 'node_modules', '.bin', 'resources-client');
    const dir = path.join(tmp, 'own-cache');
    const env = { ...process.env, RESOURCES_API_KEY: API_KEY };
    const first = JSON.parse((await execOk(cli, ['models', '--json', '--cache-dir', dir, '--base-url', api.url], { env })).stdout);
    const [record] = catalogRecords(dir);
    check(record && fs.readFileSync(record, 'utf8').includes(first.hash), 'the record was written to --cache-dir');
    fs.writeFileSync(record, 'not json', { mode: 0o600 });
    const again = JSON.parse((await execOk(cli, ['models', '--json', '--max-age', '3600', '--cache-dir', dir, '--base-url', api.url], { env })).stdout);
    equal([again.source, again.previousHash], ['network', null], 'the damaged record is not served');
    check(fs.readFileSync(record, 'utf8').includes(again.hash), 'and it was replaced');
  });

  await test('cli: a record of the previous format (1) in the cache is ignored and replaced', async () => {
    const cli = path.join(node, 'node_modules', '.bin', 'resources-client');
    const dir = path.join(tmp, 'v1-cache');
    const env = { ...process.env, RESOURCES_API_KEY: API_KEY };
    await execOk(cli, ['models', '--json', '--cache-dir', dir, '--base-url', api.url], { env });
    const records = catalogRecords(dir);
    equal(records.length, 1, 'one catalog record in the cache');
    const file = records[0];
    const { key, value } = JSON.parse(fs.readFileSync(file, 'utf8'));
    const current = JSON.parse(value);
    equal(current.v, 3, 'the format written');
    // What the previous release wrote: hash and catalog at the top level.
    const old = {
      v: 1, baseUrl: current.baseUrl, hash: 'b2xkLWZvcm1hdA', fetchedAt: Date.now(), stale: false, resources: current.body.data.resources,
    };
    fs.writeFileSync(file, JSON.stringify({ key, value: JSON.stringify(old) }), { mode: 0o600 });
    await fetch(`${api.url}/__control/log`, { method: 'DELETE' });
    const r = await execOk(cli, ['models', '--json', '--max-age', '3600', '--cache-dir', dir, '--base-url', api.url], { env });
    const result = JSON.parse(r.stdout);
    equal([result.source, result.previousHash, result.changed], ['network', null, true], 'the old record is not served, even when fresh');
    equal(r.stderr.includes('b2xkLWZvcm1hdA') || r.stdout.includes('b2xkLWZvcm1hdA'), false, 'the old hash is not shown');
    const log = (await (await fetch(`${api.url}/__control/log`)).json()).requests.filter((q) => q.path === '/v1/resources');
    equal(log.map((q) => q.headers['cli-agent']), [undefined], 'one request, without the old hash');
    const rewritten = JSON.parse(JSON.parse(fs.readFileSync(file, 'utf8')).value);
    equal([rewritten.v, rewritten.body.data.hash], [3, result.hash], 'replaced by a record of the current format');
  });

  // ---- browsers -----------------------------------------------------------
  const vite = await import('vite');
  const web = await makeProject(tmp, 'vite-consumer', tarball);
  fs.copyFileSync(path.join(here, 'page.js'), path.join(web, 'main.js'));
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html>\n<meta charset="utf-8">\n<title>vite consumer</title>\n<script type="module" src="./main.js"></script>\n');

  await test('vite: a default production build runs in Chromium, with the module inside the JavaScript', async () => {
    await vite.build({ root: web, configFile: false, logLevel: 'warn' });
    const dist = path.join(web, 'dist');
    const assets = fs.readdirSync(path.join(dist, 'assets'));
    equal(assets.filter((f) => f.endsWith('.wasm')), [], 'no .wasm asset (index.js carries the module)');
    // The bundler must not reprint the module's bytes into something larger (escapes).
    const gz = (f) => zlib.gzipSync(fs.readFileSync(f), { level: 9 }).length;
    const bundled = assets.filter((f) => f.endsWith('.js')).reduce((n, f) => n + gz(path.join(dist, 'assets', f)), 0);
    const entry = gz(path.join(pkgDir, 'index.js'));
    console.log(`# vite build: ${bundled} bytes of JS gzip -9 (the package's index.js alone: ${entry})`);
    check(bundled < entry * 1.05, `the app's JS (${bundled} gzip) is more than 5 % above the package's index.js (${entry})`);
    const site = await startMockServer({ port: 0, staticDir: dist });
    servers.push(site);
    checkSeen(await loadPage(`${site.url}/?api=${encodeURIComponent(api.url)}`), 'vite build');
  });

  await test('vite: the dev server runs in Chromium with no setting', async () => {
    const server = await vite.createServer({
      root: web,
      configFile: false,
      logLevel: 'warn',
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
    });
    await server.listen();
    try {
      const url = server.resolvedUrls.local[0];
      checkSeen(await loadPage(`${url}?api=${encodeURIComponent(api.url)}`), 'vite dev');
    } finally {
      await server.close();
    }
  });

  // Vite builds workers as classic scripts (format "iife") by default, which
  // cannot hold a top-level await anywhere in their module graph.
  await test('vite: a default worker build (new Worker(new URL(...), { type: "module" })) runs the package in a worker', async () => {
    const dir = await makeProject(tmp, 'vite-worker', tarball);
    fs.writeFileSync(path.join(dir, 'catalog.worker.js'), [
      "import { fetchResources, ResourcesError } from 'resources-client';",
      'self.onmessage = async ({ data }) => {',
      '  try {',
      "    const r = await fetchResources({ baseUrl: data.api, apiKey: 'sk-mock-demo', dangerouslyAllowBrowser: true, storage: 'memory' });",
      '    self.postMessage({ ok: true, hash: r.hash, models: r.resources.models.map((m) => m.model), isError: typeof ResourcesError });',
      '  } catch (e) {',
      '    self.postMessage({ ok: false, error: `${e?.name}: ${e?.message}` });',
      '  }',
      '};', '',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'main.js'), [
      "const worker = new Worker(new URL('./catalog.worker.js', import.meta.url), { type: 'module' });",
      "worker.onmessage = ({ data }) => { window.__result = data; };",
      "worker.onerror = (e) => { window.__result = { ok: false, error: `worker error: ${e.message}` }; };",
      "worker.postMessage({ api: new URLSearchParams(location.search).get('api') });", '',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>\n<meta charset="utf-8">\n<title>vite worker</title>\n<script type="module" src="./main.js"></script>\n');
    await vite.build({ root: dir, configFile: false, logLevel: 'warn' });
    const dist = path.join(dir, 'dist');
    const site = await startMockServer({ port: 0, staticDir: dist });
    servers.push(site);
    const seen = await loadPage(`${site.url}/?api=${encodeURIComponent(api.url)}`);
    check(seen?.ok === true, `the worker failed: ${seen?.error}`);
    const { hash } = await (await fetch(`${api.url}/__control/state`)).json();
    equal(seen.hash, hash, 'the worker fetched the mock\'s catalog');
    check(seen.models.includes('sora-2'), `models ${seen.models}`);
  });

  await test('browser: a plain <script type="module"> page from a static server', async () => {
    const dir = path.join(tmp, 'plain-page');
    fs.mkdirSync(dir);
    fs.cpSync(path.join(web, 'node_modules', 'resources-client'), path.join(dir, 'node_modules', 'resources-client'), { recursive: true });
    fs.copyFileSync(path.join(here, 'page.js'), path.join(dir, 'page.js'));
    fs.writeFileSync(path.join(dir, 'index.html'), [
      '<!doctype html>', '<meta charset="utf-8">', '<title>plain consumer</title>',
      '<script type="importmap">{ "imports": { "resources-client": "./node_modules/resources-client/index.js" } }</script>',
      '<script type="module" src="./page.js"></script>', '',
    ].join('\n'));
    const site = await startMockServer({ port: 0, staticDir: dir });
    servers.push(site);
    checkSeen(await loadPage(`${site.url}/?api=${encodeURIComponent(api.url)}`), 'plain page');
  });
} finally {
  await browser?.close();
  for (const s of servers) await s.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}

const passed = results.filter(Boolean).length;
const failed = results.length - passed;
console.log(`consumers: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
