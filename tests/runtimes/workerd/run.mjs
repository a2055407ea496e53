// Runs the package in Cloudflare's workerd (npm @cloudflare/workerd-linux-64,
// installed by ./run setup into tests/runtimes/) as three Workers, against the
// mock API (MOCK_URL from ./run, or one started here):
//   main    tests/runtimes/workerd/worker.mjs: resources-client/init + initSync at start-up;
//           answers GET /catalog with the catalog, and runs the portable suites
//           of tests/suites/ test by test, one request each
//   init    tests/runtimes/workerd/init-worker.mjs: the calls before init, then `await init(module)`
//   default tests/runtimes/workerd/default-worker.mjs bundled by esbuild as wrangler does
//           (the "workerd" export condition, the .wasm kept as its own module)
// Loopback is reached through the `internet` service redefined to allow "local".
// Run: node tests/runtimes/workerd/run.mjs [name filter]   (after ./run build and ./run setup)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { startMockServer } from '../../../mock/server.mjs';
import { controlApi } from '../../suites/harness.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('./', import.meta.url));
const pkgDir = path.join(root, 'pkg');
const workerd = path.join(root, 'tests/runtimes/node_modules/@cloudflare/workerd-linux-64/bin/workerd');
const filter = process.argv[2] ?? '';
const API_KEY = 'sk-mock-demo';
/** The first date with `cache: "no-store"` in fetch, which the client sends. */
const COMPATIBILITY_DATE = '2024-11-11';
/** The package's files a Worker loads through the init entry. */
const PACKAGE_MODULES = ['init.js'];

if (!fs.existsSync(workerd)) throw new Error(`${workerd} is missing: run ./run setup`);
if (!fs.existsSync(path.join(pkgDir, 'init.js'))) throw new Error('pkg/ is missing: run ./run build');

let passed = 0;
let failed = 0;
let skipped = 0;
function report(name, error) {
  if (error) {
    failed += 1;
    console.log(`not ok - [workerd] ${name}\n  ${String(error?.stack ?? error).replaceAll('\n', '\n  ')}`);
  } else {
    passed += 1;
    console.log(`ok - [workerd] ${name}`);
  }
}
async function test(name, fn) {
  if (filter && !name.includes(filter)) return;
  try {
    await fn();
    report(name);
  } catch (e) {
    report(name, e);
  }
}
function check(condition, message) {
  if (!condition) throw new Error(message);
}
function equal(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  check(a === e, `${what}: expected ${e}, got ${a}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** A Cap'n Proto string literal. */
const str = (s) => JSON.stringify(s);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resources-client-workerd-'));
const ownMock = process.env.MOCK_URL ? null : await startMockServer({ port: 0 });
const mockUrl = process.env.MOCK_URL || ownMock.url;
const control = controlApi(mockUrl);
let child = null;
let log = '';
try {
  // The suites, imported statically by the main Worker (workerd loads no files at run time).
  const suiteFiles = fs.readdirSync(path.join(root, 'tests/suites')).filter((f) => f.endsWith('.suite.mjs')).sort();
  fs.writeFileSync(path.join(tmp, 'suites.mjs'),
    `${suiteFiles.map((f, i) => `import { tests as t${i} } from './tests/suites/${f}';`).join('\n')}\n`
    + `export default [${suiteFiles.map((f, i) => `[${str(f)}, t${i}]`).join(', ')}];\n`);

  // The wrangler-style bundle: resolved through node_modules with its conditions.
  const bundleDir = path.join(tmp, 'bundle');
  fs.mkdirSync(path.join(bundleDir, 'node_modules'), { recursive: true });
  fs.symlinkSync(pkgDir, path.join(bundleDir, 'node_modules', 'resources-client'));
  fs.copyFileSync(path.join(here, 'default-worker.mjs'), path.join(bundleDir, 'default-worker.mjs'));
  const built = await esbuild.build({
    entryPoints: [path.join(bundleDir, 'default-worker.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    external: ['*.wasm'],
    outfile: path.join(bundleDir, 'worker.js'),
    metafile: true,
    logLevel: 'warning',
  });
  const bundled = Object.keys(built.metafile.inputs);
  check(bundled.some((f) => f.endsWith('workerd.js')), `the bundle did not take the workerd entry: ${bundled.join(', ')}`);
  const bundleText = fs.readFileSync(path.join(bundleDir, 'worker.js'), 'utf8');
  const wasmImport = /from\s*["']([^"']+\.wasm)["']/.exec(bundleText)?.[1];
  check(wasmImport, 'the bundle imports no .wasm module');

  const rel = (file) => str(path.relative(tmp, file));
  const packageModules = (prefix) => [
    ...PACKAGE_MODULES.map((f) => `(name = ${str(`${prefix}${f === 'init.js' ? 'init' : f}`)}, esModule = embed ${rel(path.join(pkgDir, f))})`),
    `(name = ${str(`${prefix}web/resources_client_bg.wasm`)}, wasm = embed ${rel(path.join(pkgDir, 'web/resources_client_bg.wasm'))})`,
  ];
  const harnessModules = fs.readdirSync(path.join(root, 'tests/suites')).filter((f) => f.endsWith('.mjs'))
    .map((f) => `(name = ${str(`tests/suites/${f}`)}, esModule = embed ${rel(path.join(root, 'tests/suites', f))})`);
  const bindings = `bindings = [ (name = "MOCK_URL", text = ${str(mockUrl)}), (name = "API_KEY", text = ${str(API_KEY)}) ]`;
  const ports = { main: await freePort(), init: await freePort(), default: await freePort() };
  const worker = (modules) => `(\n    modules = [\n      ${modules.join(',\n      ')}\n    ],\n    compatibilityDate = ${str(COMPATIBILITY_DATE)},\n    ${bindings},\n  )`;
  fs.writeFileSync(path.join(tmp, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .mainWorker),
    (name = "init", worker = .initWorker),
    (name = "default", worker = .defaultWorker),
    # The default outbound network allows public addresses only; the mock is on 127.0.0.1.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [
    ${Object.entries(ports).map(([name, port]) => `(name = ${str(name)}, address = ${str(`127.0.0.1:${port}`)}, http = (), service = ${str(name)})`).join(',\n    ')}
  ],
);
const mainWorker :Workerd.Worker = ${worker([
    `(name = "worker.mjs", esModule = embed ${rel(path.join(here, 'worker.mjs'))})`,
    `(name = "suites.mjs", esModule = embed "suites.mjs")`,
    ...harnessModules,
    ...packageModules('resources-client/'),
  ])};
const initWorker :Workerd.Worker = ${worker([
    `(name = "init-worker.mjs", esModule = embed ${rel(path.join(here, 'init-worker.mjs'))})`,
    ...packageModules('resources-client/'),
  ])};
const defaultWorker :Workerd.Worker = ${worker([
    `(name = "worker.js", esModule = embed "bundle/worker.js")`,
    `(name = ${str(path.posix.normalize(wasmImport))}, wasm = embed ${rel(path.join(pkgDir, 'web/resources_client_bg.wasm'))})`,
  ])};
`);

  child = spawn(workerd, ['serve', 'config.capnp'], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const base = Object.fromEntries(Object.entries(ports).map(([k, p]) => [k, `http://127.0.0.1:${p}`]));
  // Bounded wait for the sockets (50 x 100 ms).
  for (let i = 0; ; i += 1) {
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 100))]);
    if (code !== undefined) throw new Error(`workerd exited (${code}) at start-up:\n${log}`);
    const up = await Promise.all(Object.values(base).map((u) => fetch(`${u}/__ping`).then(() => true, () => false)));
    if (up.every(Boolean)) break;
    if (i === 50) throw new Error(`workerd did not listen within 5 s:\n${log}`);
  }
  const version = (await new Promise((resolve) => {
    const v = spawn(workerd, ['--version']);
    let out = '';
    v.stdout.on('data', (d) => { out += d; });
    v.on('exit', () => resolve(out.trim()));
  }));
  console.log(`# ${version}, compatibilityDate ${COMPATIBILITY_DATE}, mock ${mockUrl}`);

  await test('the init-entry Worker answers with the catalog fetched from the mock', async () => {
    await control.reset();
    const state = await control.state();
    const res = await fetch(`${base.main}/catalog`);
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}\n${log}`);
    const body = await res.json();
    equal(body.hash, state.hash, 'hash');
    equal(body.source, 'network', 'source');
    equal(body.resources, state.resources, 'resources');
    equal(body.agentHeaders, { 'cli-agent': `resources_hash=${state.hash}` }, 'agentHeaders()');
    const requests = await control.resourceRequests();
    equal(requests.at(-1)?.headers.authorization, 'Bearer <redacted>', 'the Worker sent the key');
  });

  await test('before init: calls are ResourcesError NOT_INITIALIZED; then await init(module) works', async () => {
    await control.reset();
    const res = await fetch(`${base.init}/`);
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}\n${log}`);
    const { before, hash, models } = await res.json();
    for (const call of ['construct', 'fetchResources', 'parseResources', 'validateRunOptions', 'diffResources']) {
      equal([before[call].ok, before[call].resourcesError, before[call].code], [false, true, 'NOT_INITIALIZED'], call);
      check(before[call].message.includes('init()'), `${call}: the message says what to do: ${before[call].message}`);
    }
    equal(before.findModel, { ok: true }, 'plain JS helpers need no module');
    equal([before.initWithoutInput.resourcesError, before.initWithoutInput.code], [true, 'INIT_FAILED'], 'init() without input in workerd');
    check(before.initWithoutInput.message.includes('initSync({ module })'), before.initWithoutInput.message);
    equal([before.initWithNumber.resourcesError, before.initWithNumber.code], [true, 'INVALID_OPTIONS'], 'init(42)');
    equal([before.initSyncWithoutModule.resourcesError, before.initSyncWithoutModule.code], [true, 'INVALID_OPTIONS'], 'initSync({})');
    equal([before.initSyncWithBadBytes.resourcesError, before.initSyncWithBadBytes.code], [true, 'INIT_FAILED'], 'initSync with bad bytes');
    equal(hash, (await control.state()).hash, 'hash after init');
    check(models.includes('gpt-image-1') && models.includes('sora-2'), `models: ${models}`);
  });

  await test('wrangler-style bundle: "workerd" export condition, no init call', async () => {
    await control.reset();
    const res = await fetch(`${base.default}/`);
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}\n${log}`);
    const body = await res.json();
    equal(body.hash, (await control.state()).hash, 'hash');
    check(body.models.includes('o3') && body.models.includes('sora-2'), `models: ${body.models}`);
    equal(body.wrongKey, { resourcesError: true, code: 'UNAUTHORIZED_ERROR', status: 401 }, 'a wrong key');
  });

  // The portable suites, each test in a request of its own.
  const list = await (await fetch(`${base.main}/__list`)).json();
  check(list.length > 0, 'the Worker lists no tests');
  for (const [file, name, skip] of list) {
    const label = `${file.replace('.suite.mjs', '')}: ${name}`;
    if (filter && !label.includes(filter)) continue;
    if (skip) {
      skipped += 1;
      console.log(`ok - [workerd] ${label} # SKIP ${skip}`);
      continue;
    }
    const res = await fetch(`${base.main}/__run?${new URLSearchParams({ file, name })}`);
    const text = await res.text();
    let outcome;
    try { outcome = JSON.parse(text); } catch { outcome = { ok: false, message: `HTTP ${res.status}: ${text}\n${log.slice(-2000)}` }; }
    report(label, outcome.ok ? null : outcome.message);
  }
} catch (e) {
  report('workerd run', e);
} finally {
  child?.kill('SIGTERM');
  await ownMock?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`workerd: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
