// Builds the npm package in pkg/ from wasm-pack's output and the hand-written
// files of npm/. Every entry module is generated from one list of public names
// (npm/exports.json) and bundled by esbuild into a single file, so a browser
// downloads one module and a new export cannot be left out of one entry.
//
//   node npm/build.mjs <wasm-pack out dir>     (./run build calls it)
//
// Entries (see DEVELOPMENT.md, "The package: layout and choices"):
//   index.js       browsers and bundlers: glue, errors, catalog lookups and the
//                  module's bytes in one file, started synchronously at import
//   init.js        resources-client/init for browsers: the same, without the
//                  bytes; the module comes from init(input) or initSync
//   workerd.js     Cloudflare Workers: imports the .wasm as a module
//   index.cjs      Node.js (require); index.mjs re-exports it for import
//   init.cjs, init.node.mjs  resources-client/init for Node.js
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const src = path.join(root, 'npm');
const out = path.join(root, 'pkg');
const wasmPackDir = path.resolve(process.argv[2] ?? path.join(root, 'target/wasm-pack/web'));
const WASM = 'web/resources_client_bg.wasm';

/**
 * The module with short import, export and import-module names, and the glue
 * rewritten to match. wasm-bindgen names each import after its function and a
 * 16-digit hash (`__wbg_status_cb85b6c8d1769fa1`): 146 imports, each name once
 * in the module and once in the glue, and hashes do not compress. Binaryen's
 * `--minify-imports-and-exports-and-modules` renames them (`a`, `b`, ... `$b`)
 * and prints the mapping, which is applied to the glue's import object keys and
 * its `wasm.<export>` calls. Every entry shares this glue and module.
 */
function minifyNames(dir) {
  const features = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
    '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue'];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'resources-client-build-'));
  const wasmOut = path.join(tmp, 'resources_client_bg.wasm');
  const wasmOpt = path.join(root, 'node_modules/.bin/wasm-opt');
  const mapping = JSON.parse(execFileSync(wasmOpt, [...features, '--minify-imports-and-exports-and-modules',
    path.join(dir, 'resources_client_bg.wasm'), '-o', wasmOut], { encoding: 'utf8' }));
  const module = new WebAssembly.Module(fs.readFileSync(wasmOut));
  const modules = [...new Set(WebAssembly.Module.imports(module).map((i) => i.module))];
  const froms = [...new Set(mapping.imports.map(([m]) => m))];
  if (modules.length !== 1 || froms.length !== 1) throw new Error(`minifyNames: expected one import module, got ${froms}`);
  let code = fs.readFileSync(path.join(dir, 'resources_client.js'), 'utf8');
  const replaceOnce = (pattern, to, what) => {
    let n = 0;
    code = code.replace(pattern, () => { n += 1; return to; });
    if (n === 0) throw new Error(`minifyNames: ${what} not found in the glue`);
  };
  const escape = (s) => s.replace(/[$]/g, '\\$');
  for (const [, name, short] of mapping.imports) {
    replaceOnce(new RegExp(`(?<=^ {8})${escape(name)}(?=: function\\()`, 'gm'), JSON.stringify(short), `import ${name}`);
  }
  for (const [name, short] of mapping.exports) {
    // Exports the glue never calls (abort hooks) have nothing to rewrite.
    code = code.replace(new RegExp(`\\bwasm\\.${escape(name)}(?![\\w$])`, 'g'), () => `wasm[${JSON.stringify(short)}]`);
  }
  // The glue's own functions for closures are named after hashes too.
  const invokers = [...new Set(code.match(/\bwasm_bindgen__convert__closures_____invoke__h[0-9a-f]{16}(?:_\d+)?\b/g))];
  invokers.forEach((name, i) => { code = code.replace(new RegExp(`\\b${name}\\b`, 'g'), `__wbg_invoke${i}`); });
  replaceOnce(`${JSON.stringify(froms[0])}: import0`, `${JSON.stringify(modules[0])}: import0`, 'the import module');
  const glueOut = path.join(tmp, 'resources_client.js');
  fs.writeFileSync(glueOut, code);
  return { glue: glueOut, wasmFile: wasmOut, tmp };
}
const minified = minifyNames(wasmPackDir);
process.on('exit', () => fs.rmSync(minified.tmp, { recursive: true, force: true }));
const { glue, wasmFile } = minified;

/**
 * The glue as a factory, `createGlue(platform)`: each call evaluates the glue
 * afresh (its module-level state: the instance, caches, finalizers) and
 * returns its exports. npm/instance.js makes one per start of the module, a
 * new one after a trap, and hands it, in `platform`, its own versions of the
 * globals through which an instance reaches out for longer than a call (so
 * that a trapped one can be cut off). esbuild turns the glue's ES module into
 * CommonJS, which runs inside the function, keeping only what the package
 * calls (`export *` leaves out the glue's default export, its asynchronous
 * loader); the glue must name each of those globals, or the build stops.
 */
const PLATFORM = {
  WebAssembly: /\bnew WebAssembly\.Instance\(/,
  AbortController: /\bnew AbortController\(\)/,
  BroadcastChannel: /\bnew BroadcastChannel\(/,
  addEventListener: /(?<![.\w$])addEventListener\(/,
  removeEventListener: /(?<![.\w$])removeEventListener\(/,
  setTimeout: /(?<![.\w$])setTimeout\(/,
  clearTimeout: /(?<![.\w$])clearTimeout\(/,
};
async function glueFactory(file) {
  const { outputFiles } = await build({
    stdin: { contents: `export * from ${JSON.stringify(file)};`, resolveDir: src, loader: 'js' },
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'warning',
    // The glue's own loader uses import.meta.url; `export *` leaves it out.
    logOverride: { 'empty-import-meta': 'silent' },
  });
  const commonJs = outputFiles[0].text;
  for (const [name, use] of Object.entries(PLATFORM)) {
    if (!use.test(commonJs)) throw new Error(`glueFactory: the glue no longer calls ${name} by name (${use})`);
  }
  return `export function createGlue({ ${Object.keys(PLATFORM).join(', ')} }) {
  const module = { exports: {} };
${commonJs}
  const glue = module.exports;
  return Object.fromEntries(Object.keys(glue).map((name) => [name, glue[name]]));
}
`;
}
const GLUE_FACTORY = await glueFactory(glue);

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const { names, initNames } = readJson(path.join(src, 'exports.json'));

/** `export { a, b } from './x.js';` lines for a list of `{ name, from }`. */
function reExports(list) {
  const byModule = new Map();
  for (const { name, from } of list) byModule.set(from, [...(byModule.get(from) ?? []), name]);
  return [...byModule].map(([from, ns]) => `export { ${ns.join(', ')} } from './${from}';`).join('\n');
}

/** `export const { a, b } = cjs;` over a CommonJS module, for Node's ESM wrappers. */
function esmOverCjs(file, list) {
  return `// Node.js (import): the same module instance as require() gets, so\n`
    + `// \`instanceof\` holds across both forms. Generated by npm/build.mjs.\n`
    + `import cjs from './${file}';\n\nexport const {\n  ${list.map((n) => n.name).join(', ')},\n} = cjs;\n`;
}

/**
 * The module's bytes as the text of a JavaScript template literal, one
 * character per byte (Latin-1): a browser decodes it with one loop, and gzip
 * compresses it about as well as the bytes themselves (base64 costs a quarter
 * more, see DEVELOPMENT.md). Only what a template literal cannot hold as it is
 * is escaped. It replaces a placeholder after bundling, so that no tool
 * reprints it.
 */
function moduleLiteral(bytes) {
  let text = '`';
  for (let i = 0; i < bytes.length; i += 1) {
    const b = bytes[i];
    if (b === 0x5c) text += '\\\\';
    else if (b === 0x60) text += '\\`';
    else if (b === 0x24) text += '\\$';
    else if (b === 0x0d) text += '\\r';
    else text += String.fromCharCode(b);
  }
  return `${text}\``;
}
const PLACEHOLDER = 'RESOURCES_CLIENT_MODULE_BYTES';
const INLINE_MODULE = `const TEXT = ${JSON.stringify(PLACEHOLDER)};
export function moduleBytes() {
  const bytes = new Uint8Array(TEXT.length);
  for (let i = 0; i < TEXT.length; i += 1) bytes[i] = TEXT.charCodeAt(i);
  return bytes;
}
`;

/** Resolves the glue and the generated modules for esbuild. */
function packagePlugin(virtual) {
  return {
    name: 'resources-client',
    setup(b) {
      b.onResolve({ filter: /^resources-client:glue$/ }, () => ({ path: 'glue', namespace: 'glue' }));
      b.onLoad({ filter: /.*/, namespace: 'glue' }, () => ({ contents: GLUE_FACTORY, resolveDir: src, loader: 'js' }));
      b.onResolve({ filter: /^virtual:/ }, (args) => ({ path: args.path, namespace: 'virtual' }));
      b.onLoad({ filter: /.*/, namespace: 'virtual' }, (args) => ({
        contents: virtual[args.path.slice('virtual:'.length)],
        resolveDir: src,
        loader: 'js',
      }));
    },
  };
}

/** Bundles one generated entry into one file of pkg/. */
async function bundle(file, contents, { platform = 'neutral', format = 'esm', virtual = {}, external = [] } = {}) {
  await build({
    stdin: { contents, resolveDir: src, sourcefile: `${file} (generated)`, loader: 'js' },
    bundle: true,
    outfile: path.join(out, file),
    platform,
    format,
    target: 'es2022',
    external,
    // Whitespace and syntax only: class and function names stay as written.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
    // The init entry's default URL needs import.meta.url; bundles that cannot
    // have it (CommonJS) never reach that code.
    logOverride: { 'empty-import-meta': 'silent' },
    plugins: [packagePlugin(virtual)],
  });
}

const wrote = [];
function write(file, contents, mode) {
  const target = path.join(out, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, contents);
  if (mode) fs.chmodSync(target, mode);
  wrote.push(file);
}
function copy(from, file, mode) {
  write(file, fs.readFileSync(from), mode);
}

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const wasm = fs.readFileSync(wasmFile);
copy(wasmFile, WASM);
// What `import module from 'resources-client/web/resources_client_bg.wasm'` gives where
// a .wasm is imported as a module (Workers, their bundlers).
write(`${WASM}.d.ts`, '/** The compiled module, as Workers and their bundlers import a .wasm. */\ndeclare const module: WebAssembly.Module;\nexport default module;\n');

const header = (what) => `// resources-client: ${what}. Generated by npm/build.mjs.\n`;

await bundle('index.js', `${header('the entry for browsers and bundlers, started at import')}
import { startAtImport } from './start.js';
import { moduleBytes } from 'virtual:module';
startAtImport(moduleBytes, 'inlined in index.js');
${reExports(names)}
`, { platform: 'browser', virtual: { module: INLINE_MODULE } });
{
  const file = path.join(out, 'index.js');
  const code = fs.readFileSync(file, 'utf8');
  const quoted = [`"${PLACEHOLDER}"`, `'${PLACEHOLDER}'`, `\`${PLACEHOLDER}\``].filter((q) => code.includes(q));
  if (quoted.length !== 1 || code.split(quoted[0]).length !== 2) throw new Error('index.js: the module placeholder was not found once');
  fs.writeFileSync(file, code.replace(quoted[0], () => moduleLiteral(wasm)), 'utf8');
}
wrote.push('index.js');

await bundle('init.js', `${header('resources-client/init for browsers; nothing is loaded before init()')}
${reExports([...names, ...initNames])}
`, { platform: 'browser' });
wrote.push('init.js');

await bundle('workerd.js', `${header('the entry for Cloudflare Workers, which import a .wasm as a compiled module')}
import module from './${WASM}';
import { startAtImport } from './start.js';
startAtImport(() => module, '${WASM}');
${reExports(names)}
`, { platform: 'neutral', external: [`./${WASM}`] });
wrote.push('workerd.js');

await bundle('index.cjs', `${header('the entry for Node.js (require); the module is compiled from disk at load')}
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAtImport, useEnvironment } from './start.js';
useEnvironment((name) => (typeof process === 'object' && process !== null && process.env ? process.env[name] : undefined));
const file = join(__dirname, ${JSON.stringify(WASM)});
startAtImport(() => readFileSync(file), file);
${reExports(names)}
`, { platform: 'node', format: 'cjs' });
wrote.push('index.cjs');
write('index.mjs', esmOverCjs('index.cjs', names));

copy(path.join(src, 'init-node.cjs'), 'init.cjs');
write('init.node.mjs', esmOverCjs('init.cjs', [...names, ...initNames]));

// Declarations: the same files, read as CommonJS by TypeScript for require().
const dts = fs.readFileSync(path.join(src, 'index.d.ts'), 'utf8');
write('index.d.ts', dts);
write('index.d.cts', dts);
const initDts = fs.readFileSync(path.join(src, 'init.d.ts'), 'utf8');
write('init.d.ts', initDts);
write('init.d.cts', initDts.replaceAll("'./index.js'", "'./index.cjs'"));

// The React hook: React stays the app's own (a peer dependency), imported as is.
await bundle('react.js', `${header('resources-client/react, a hook over the client\'s store')}
export { useResources } from './react.js';
`, { platform: 'neutral', external: ['react'] });
wrote.push('react.js');
await bundle('react.cjs', `${header('resources-client/react for require()')}
export { useResources } from './react.js';
`, { platform: 'node', format: 'cjs', external: ['react'] });
wrote.push('react.cjs');
write('react.d.ts', fs.readFileSync(path.join(src, 'react.d.ts'), 'utf8'));
write('react.d.cts', fs.readFileSync(path.join(src, 'react.d.ts'), 'utf8').replaceAll("'./index.js'", "'./index.cjs'"));

copy(path.join(src, 'cli.cjs'), 'cli.cjs', 0o755);
// The file store (Node.js, Deno, Bun): resources-client/file-storage, which the CLI uses too.
copy(path.join(src, 'file-storage.cjs'), 'file-storage.cjs');
write('file-storage.mjs', esmOverCjs('file-storage.cjs', [{ name: 'FileStorage' }, { name: 'defaultCacheDir' }]));
write('file-storage.d.ts', fs.readFileSync(path.join(src, 'file-storage.d.ts'), 'utf8'));
write('file-storage.d.cts', fs.readFileSync(path.join(src, 'file-storage.d.ts'), 'utf8').replaceAll("'./index.js'", "'./index.cjs'"));
copy(path.join(src, 'README.md'), 'README.md');
for (const f of ['LICENSE-MIT', 'LICENSE-APACHE', 'CHANGELOG.md']) copy(path.join(root, f), f);

// package.json: the template's fields, the crate's version, and `files` as
// exactly what this build wrote (a listed file the build did not make cannot exist).
const manifest = readJson(path.join(src, 'package.json'));
const version = /^version = "([^"]+)"/m.exec(fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8'))[1];
manifest.version = version;
manifest.files = ['package.json', ...wrote].filter((f, i, all) => all.indexOf(f) === i);
write('package.json', `${JSON.stringify(manifest, null, 2)}\n`);

// Every file the exports map points at must exist.
const targets = [];
(function walk(node) {
  if (typeof node === 'string') targets.push(node);
  else if (node && typeof node === 'object') Object.values(node).forEach(walk);
})(manifest.exports);
for (const t of [...targets, manifest.main, manifest.module, manifest.types, ...Object.values(manifest.bin)]) {
  if (!fs.existsSync(path.join(out, t))) throw new Error(`package.json points at ${t}, which the build did not make`);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`pkg/ ready: ${wrote.length} files; index.js ${kb(fs.statSync(path.join(out, 'index.js')).size)} (the module is ${kb(wasm.length)})`);
