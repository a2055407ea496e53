// The public surface has one check: for every entry of the package's `exports`
// map (read from pkg/package.json, so a new entry is covered as soon as it is
// listed) and every condition under it (Node import, Node require, browsers and
// bundlers), the names the module exports at run time must be exactly the value
// exports of the declarations TypeScript resolves for it, with the same kind
// (class, function or other value). tests/package/types/consumer.ts must import every
// export of the main entry. Run after ./run build: node --test tests/package/exports.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire, register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../../', import.meta.url));
const pkgDir = path.join(root, 'pkg');
const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));

/**
 * Every module file the `exports` map can hand out, with the declaration file
 * TypeScript would pair with it: `[{ entry, conditions, file, types }]`.
 */
export function entryTargets(exportsMap) {
  const out = [];
  const walk = (entry, node, conditions, types) => {
    if (typeof node === 'string') {
      if (/\.(c|m)?js$/.test(node)) out.push({ entry, conditions, file: node, types });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const here = typeof node.types === 'string' ? node.types : types;
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'types') walk(entry, value, [...conditions, key], here);
    }
  };
  const entries = typeof exportsMap === 'string' || Object.keys(exportsMap).every((k) => !k.startsWith('.'))
    ? { '.': exportsMap } : exportsMap;
  for (const [entry, node] of Object.entries(entries)) walk(entry, node, [], undefined);
  return out;
}

/** 'class', 'function' or 'value', the way a caller meets an export at run time. */
function runtimeKind(value) {
  if (typeof value !== 'function') return 'value';
  return /^class\b/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
}

/** `{ name: kind }` of a loaded module namespace or CommonJS exports object. */
function runtimeSurface(mod) {
  const out = {};
  for (const name of Object.keys(mod)) {
    if (name === 'default' || name === '__esModule' || name === 'module.exports') continue;
    out[name] = runtimeKind(mod[name]);
  }
  return out;
}

/**
 * The Workers entry imports the .wasm as a compiled WebAssembly.Module, as
 * workerd and its bundlers do; Node gets the same through a load hook.
 */
let wasmHook = false;
function registerWasmModules() {
  if (wasmHook) return;
  wasmHook = true;
  register(`data:text/javascript,${encodeURIComponent(`
    export async function load(url, context, next) {
      if (!url.startsWith('file:') || !url.endsWith('.wasm')) return next(url, context);
      const source = 'import fs from "node:fs"; export default new WebAssembly.Module(fs.readFileSync(new URL(' + JSON.stringify(url) + ')));';
      return { format: 'module', source, shortCircuit: true };
    }`)}`);
}

/**
 * Loads one target as its condition path says: `require` under `node.require`,
 * `import()` otherwise. Modules for browsers fetch their wasm from a file: URL,
 * which Node's fetch cannot; for them fetch reads file: URLs from disk.
 */
async function loadTarget(target) {
  const file = path.join(pkgDir, target.file);
  if (target.conditions.includes('require')) return require(file);
  if (target.conditions.includes('workerd')) registerWasmModules();
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith('file:')) return realFetch(input, init);
    const bytes = fs.readFileSync(fileURLToPath(url));
    return new Response(bytes, { headers: { 'content-type': url.endsWith('.wasm') ? 'application/wasm' : 'text/plain' } });
  };
  try {
    return await import(pathToFileURL(file).href);
  } finally {
    globalThis.fetch = realFetch;
  }
}

/** `{ name: kind }` of the value exports of a declaration file, and the names of all its exports. */
export function declaredSurface(dtsFile) {
  const program = ts.createProgram([dtsFile], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(dtsFile);
  assert.ok(source, `no declarations at ${dtsFile}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const values = {};
  const all = [];
  for (const exported of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    all.push(exported.name);
    if (!(symbol.flags & ts.SymbolFlags.Value)) continue;
    let kind = 'value';
    if (symbol.flags & ts.SymbolFlags.Class) kind = 'class';
    else if (symbol.flags & ts.SymbolFlags.Function) kind = 'function';
    else {
      const type = checker.getTypeOfSymbol(symbol);
      if (type.getConstructSignatures().length > 0) kind = 'class';
      else if (type.getCallSignatures().length > 0) kind = 'function';
    }
    values[exported.name] = kind;
  }
  return { values, all: all.sort() };
}

/** Differences between a runtime and a declared surface, as readable lines (empty when they agree). */
export function surfaceDifferences(runtime, declared) {
  const lines = [];
  for (const [name, kind] of Object.entries(runtime)) {
    if (!(name in declared)) lines.push(`${name} (${kind}) is exported but not declared`);
    else if (declared[name] !== kind) lines.push(`${name} is a ${kind} at run time but declared as a ${declared[name]}`);
  }
  for (const name of Object.keys(declared)) {
    if (!(name in runtime)) lines.push(`${name} is declared but not exported`);
  }
  return lines;
}

const targets = entryTargets(manifest.exports);

test('the exports map lists the main entry for Node import, Node require and browsers', () => {
  const main = targets.filter((t) => t.entry === '.').map((t) => t.conditions.join('.'));
  assert.deepEqual(main.sort(), ['default', 'node.import.default', 'node.require.default', 'workerd.default']);
  for (const t of targets) assert.ok(t.types, `${t.entry} ${t.conditions.join('.')} has no types`);
});

for (const target of targets) {
  test(`exports of ${target.entry} (${target.conditions.join('.')} -> ${target.file}) match ${target.types}`, async () => {
    const runtime = runtimeSurface(await loadTarget(target));
    const declared = declaredSurface(path.join(pkgDir, target.types)).values;
    assert.deepEqual(surfaceDifferences(runtime, declared), []);
    assert.ok(Object.keys(runtime).length > 0, 'the module exports nothing');
  });
}

test('every entry point of one entry exports the same names', async () => {
  const byEntry = new Map();
  for (const target of targets) {
    const names = Object.keys(runtimeSurface(await loadTarget(target))).sort().join(',');
    byEntry.set(target.entry, [...(byEntry.get(target.entry) ?? []), `${target.conditions.join('.')}: ${names}`]);
  }
  for (const [entry, lines] of byEntry) {
    const names = new Set(lines.map((l) => l.split(': ')[1]));
    assert.equal(names.size, 1, `${entry} differs between conditions:\n${lines.join('\n')}`);
  }
});

test('the check fails when an export has no declaration, or a declaration no export', () => {
  const dts = fs.readFileSync(path.join(pkgDir, manifest.types), 'utf8');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exports-test-'));
  try {
    const missing = path.join(dir, 'missing.d.ts');
    fs.writeFileSync(missing, dts.replace(/^export function parseResources\([^\n]*\n/m, ''));
    const runtime = runtimeSurface(require(path.join(pkgDir, 'index.cjs')));
    assert.deepEqual(surfaceDifferences(runtime, declaredSurface(missing).values), ['parseResources (function) is exported but not declared']);
    const extra = path.join(dir, 'extra.d.ts');
    fs.writeFileSync(extra, `${dts}\nexport function notThere(): void;\nexport declare const ResourcesClientX: number;\n`);
    assert.deepEqual(surfaceDifferences(runtime, declaredSurface(extra).values), [
      'notThere is declared but not exported',
      'ResourcesClientX is declared but not exported',
    ]);
    const wrongKind = path.join(dir, 'kind.d.ts');
    fs.writeFileSync(wrongKind, dts.replace(/^export function findModel\(.*$/m, 'export declare const findModel: number;'));
    assert.deepEqual(surfaceDifferences(runtime, declaredSurface(wrongKind).values), ['findModel is a function at run time but declared as a value']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('tests/package/types/consumer.ts imports every export of the main entry', () => {
  const { all } = declaredSurface(path.join(pkgDir, manifest.types));
  const text = fs.readFileSync(path.join(root, 'tests', 'package', 'types', 'consumer.ts'), 'utf8');
  const source = ts.createSourceFile('consumer.ts', text, ts.ScriptTarget.ES2022);
  const imported = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || statement.moduleSpecifier.text !== 'resources-client') continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) imported.push((el.propertyName ?? el.name).text);
  }
  assert.deepEqual(all.filter((n) => !imported.includes(n)), [], 'exports the consumer does not use');
});

/** The instance members (methods and accessors) a declaration file gives class `name`, sorted. */
function declaredMembers(dtsFile, name) {
  const program = ts.createProgram([dtsFile], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.esnext.disposable.d.ts'] });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(dtsFile));
  const symbol = checker.getExportsOfModule(moduleSymbol).find((s) => s.name === name);
  const instance = checker.getDeclaredTypeOfSymbol(symbol);
  return checker.getPropertiesOfType(instance).map((p) => (p.name.startsWith('__@dispose') ? 'Symbol(Symbol.dispose)' : p.name)).sort();
}

/** The members of a class's prototype at run time (methods, accessors, well-known symbols), sorted. */
function runtimeMembers(Class) {
  return Reflect.ownKeys(Class.prototype).filter((k) => k !== 'constructor')
    .map((k) => (k === Symbol.dispose ? 'Symbol(Symbol.dispose)' : String(k))).sort();
}

// The JS client forwards each call to its wasm side by hand (npm/start.js): a
// member declared but not written, or written but not declared, fails here.
test('ResourcesClient has at run time exactly the members its declarations give it', () => {
  const { ResourcesClient } = require(path.join(pkgDir, 'index.cjs'));
  assert.deepEqual(runtimeMembers(ResourcesClient), declaredMembers(path.join(pkgDir, manifest.types), 'ResourcesClient'));
});
