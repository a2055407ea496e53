#!/usr/bin/env node
'use strict';
// The resources-client command-line tool: lists the models an API offers.
// Exit codes: 0 success, 1 the request failed, 2 usage error, 3 the API could
// not be reached and the stored catalog was printed instead (0 with
// --allow-stale); on failure the error code is the first word on stderr after
// "error: " (with --json, stderr holds {"error":{"code","status","message"}}).
const path = require('node:path');
const { parseArgs: parseNodeArgs } = require('node:util');
const { FileStorage, defaultCacheDir } = require('./file-storage.cjs');

const KEY_ENV = 'RESOURCES_API_KEY';
const BASE_URL_ENV = 'RESOURCES_BASE_URL';
const DEFAULT_BASE_URL = 'https://api.betterprompt.me';
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_STALE = 3;

const COMMON_HELP = `Options of every command:
  --json            print JSON; errors too, on stderr:
                    {"error":{"code":"...","status":401,"message":"..."}}
  --allow-stale     exit 0, not 3, when the API could not be reached and the
                    stored catalog is printed instead
  --base-url URL    API base (default: the ${BASE_URL_ENV} environment
                    variable, else ${DEFAULT_BASE_URL})
  --api-key-stdin   read the API key from standard input (its first line)
  --api-key KEY     API key; the worst of the three ways: a command line is
                    visible to every user of the machine (ps) and kept in shell
                    history. Prefer ${KEY_ENV} or --api-key-stdin
  --timeout SECS    per attempt, reading the body included (default 30; 0: none)
  --retries N       extra attempts after network errors, 429 and 5xx (0-10,
                    default 2)
  --cache-dir DIR   where the hash and catalog are kept (default: the user's
                    cache directory, ${defaultCacheDir()})
  -h, --help        show this help (resources-client <command> --help: the command's)
  -v, --version     show the version`;

const EXITS = `Exit codes: 0 success; 1 the request failed (stderr: "error: <CODE> ...",
the error code first); 2 usage error; 3 the API could not be reached (network
error, timeout, 5xx, 429 after the retries) and the stored catalog was printed
instead, marked stale (0 with --allow-stale).`;

const STORAGE_NOTE = `The stored catalog belongs to the API key that fetched it: records are kept
per key (under a fingerprint of the key, never the key), so a run with another
key, or with none, neither reads nor prints it. The API key is sent to the API
only: it is never written to the cache file and never printed.`;

const MODELS_HELP = `Usage: resources-client models [options]

List the models with their modality and run options. Asks the API each time
(cli-agent carries the stored hash) and stores the result.

Options:
  --modality NAME   only models of this modality (text, image, video, ...);
                    none matching prints an empty list and exits 0
  --refresh         ask the network even when the cached catalog is fresh
  --max-age SECS    serve the cached catalog without a request while it is
                    younger than this (default 0: always revalidate)

${COMMON_HELP}

${STORAGE_NOTE}

${EXITS}
`;

const RESOURCES_HELP = `Usage: resources-client resources [options]

Print the stored catalog without a request when one is stored for this API key,
else fetch and store it (as the API's official CLI does).

Options:
  --remote          fetch from the API without storing the result
  --sync            fetch from the API and store the result
  --models-only     print only the models
  --json            print the data ({hash, resources}, or the models with
                    --models-only)

${COMMON_HELP}

${STORAGE_NOTE}

${EXITS}
`;

const HELP = `Usage: resources-client <command> [options]

Commands:
  models      list the models with their modality and run options; asks the
              API each time (cli-agent carries the stored hash), stores the result
  resources   print the stored catalog without a request when one is stored
              for this API key, else fetch and store it (as the API's official
              CLI does); --sync and --remote always ask the API

resources-client <command> --help shows a command's options.

${COMMON_HELP}

Environment: ${KEY_ENV} (the API key), ${BASE_URL_ENV} (the API base).
${STORAGE_NOTE}

${EXITS}
`;

const COMMAND_HELP = { models: MODELS_HELP, resources: RESOURCES_HELP };

/**
 * Text from the server or a cache file, made safe for a terminal: C0 and C1
 * control characters, DEL and the bidirectional overrides are shown as
 * escapes (`\x1b`, `\u009b`, `\u202e`), as GitHub CLI's ASCII sanitizer does,
 * so that a model id cannot move the cursor, set the window title, write the
 * clipboard (OSC 52), hide text or reverse it. `--json` output is left exact.
 * @param {unknown} value
 */
function safe(value) {
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** A usage problem: exit code 2. */
class UsageError extends Error {}

const COMMANDS = {
  models: ['modality', 'refresh', 'max-age'],
  resources: ['remote', 'sync', 'models-only'],
};
const COMMON = ['json', 'allow-stale', 'base-url', 'api-key', 'api-key-stdin', 'timeout', 'retries', 'cache-dir', 'help', 'version'];

/** Every option for node:util.parseArgs. */
const OPTIONS = {
  modality: { type: 'string' },
  refresh: { type: 'boolean' },
  'max-age': { type: 'string' },
  remote: { type: 'boolean' },
  sync: { type: 'boolean' },
  'models-only': { type: 'boolean' },
  json: { type: 'boolean' },
  'allow-stale': { type: 'boolean' },
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
  'api-key-stdin': { type: 'boolean' },
  timeout: { type: 'string' },
  retries: { type: 'string' },
  'cache-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
};

/** Levenshtein distance, for "did you mean". */
function distance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const cur = [i];
    for (let j = 1; j <= b.length; j += 1) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The nearest of `names` to `given` (case-insensitive, within a third of its length), or null. */
function nearest(given, names) {
  const lower = given.toLowerCase();
  let best = null;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = distance(lower, name.toLowerCase());
    if (d < bestDistance) { best = name; bestDistance = d; }
  }
  return bestDistance <= Math.max(1, Math.floor(given.length / 3)) ? best : null;
}

/**
 * Parses argv (without node and the script) with node:util.parseArgs: `--flag
 * value` and `--flag=value`. Returns `{ command, flags, help, version }`; throws
 * UsageError. Values are never echoed: one may be a key.
 * @param {string[]} argv
 */
function parseArgs(argv) {
  let tokens;
  try {
    ({ tokens } = parseNodeArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true }));
  } catch (e) {
    throw new UsageError(e.message);
  }
  const args = { command: null, flags: {}, help: false, version: false };
  const positionals = [];
  for (const token of tokens) {
    if (token.kind === 'positional') { positionals.push(token.value); continue; }
    if (token.kind === 'option-terminator') continue;
    const { name, rawName } = token;
    const spec = Object.hasOwn(OPTIONS, name) ? OPTIONS[name] : null;
    if (spec === null || (rawName.startsWith('-') && !rawName.startsWith('--') && spec.short === undefined)) {
      const shown = rawName.split('=')[0];
      const guess = shown.startsWith('--') ? nearest(shown.slice(2), Object.keys(OPTIONS)) : null;
      throw new UsageError(`unknown option ${shown}${guess ? `; did you mean --${guess}?` : ''}`);
    }
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`--${name} takes no value`);
      if (name === 'help') args.help = true;
      else if (name === 'version') args.version = true;
      else args.flags[name] = true;
    } else {
      if (token.value === undefined || token.value === '') throw new UsageError(`--${name} needs a value`);
      args.flags[name] = token.value;
    }
  }
  if (positionals.length > 1) throw new UsageError('only one command may be given');
  args.command = positionals[0] ?? null;
  return args;
}

/** Checks the command and that its flags belong to it. */
function checkCommand(args) {
  if (args.command === null) throw new UsageError('a command is needed (models or resources)');
  if (!Object.hasOwn(COMMANDS, args.command)) {
    const guess = nearest(args.command, Object.keys(COMMANDS));
    throw new UsageError(`unknown command "${args.command}"${guess ? `; did you mean "${guess}"?` : ' (known: models, resources)'}`);
  }
  for (const flag of Object.keys(args.flags)) {
    if (COMMON.includes(flag) || COMMANDS[args.command].includes(flag)) continue;
    const owner = Object.keys(COMMANDS).find((c) => COMMANDS[c].includes(flag));
    throw new UsageError(`--${flag} is an option of ${owner}, not of ${args.command}`);
  }
  if (args.flags.remote && args.flags.sync) throw new UsageError('--remote and --sync cannot be used together');
}

/** A number of seconds >= 0 as milliseconds, or undefined when not given. */
function seconds(flags, name) {
  if (flags[name] === undefined) return undefined;
  const secs = Number(flags[name]);
  if (!Number.isFinite(secs) || secs < 0) throw new UsageError(`--${name} takes a number of seconds`);
  return Math.round(secs * 1000);
}

/** The API key: --api-key-stdin, else --api-key, else the environment; throws UsageError. */
function apiKeyOf(flags, env, readStdin) {
  if (flags['api-key-stdin']) {
    if (flags['api-key'] !== undefined) throw new UsageError('--api-key and --api-key-stdin cannot be used together');
    const key = String(readStdin()).split(/\r?\n/)[0].trim();
    if (key === '') throw new UsageError('--api-key-stdin read no key from standard input');
    return key;
  }
  return flags['api-key'] ?? (env[KEY_ENV] || undefined);
}

/** The client options the flags and environment ask for; throws UsageError. */
function clientSettings(args, env, readStdin) {
  const { flags } = args;
  let retries;
  if (flags.retries !== undefined) {
    retries = Number(flags.retries);
    if (!Number.isInteger(retries) || retries < 0 || retries > 10) throw new UsageError('--retries takes a whole number from 0 to 10');
  }
  const fromFlag = flags['base-url'] !== undefined;
  const baseUrl = fromFlag ? flags['base-url'] : (env[BASE_URL_ENV] || undefined);
  if (baseUrl !== undefined) {
    let url = null;
    try { url = new URL(baseUrl); } catch { /* reported below */ }
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      const source = fromFlag ? '--base-url' : BASE_URL_ENV;
      throw new UsageError(`${source} must be an absolute http(s) URL, such as ${DEFAULT_BASE_URL}`);
    }
  }
  return {
    baseUrl,
    apiKey: apiKeyOf(flags, env, readStdin),
    timeoutMs: seconds(flags, 'timeout'),
    retries,
    maxAgeMs: seconds(flags, 'max-age') ?? 0,
  };
}

/** The package's version, for --version and the user-agent. */
function version() {
  return require(path.join(__dirname, 'package.json')).version;
}

/** The `user-agent` of every request the tool makes: the package, its version and Node's. */
function userAgent() {
  return `resources-client/${version()} (cli; node ${process.versions.node})`;
}

/** A spinner on stderr, shown only on a terminal and only while a promise is pending. */
async function withSpinner(stream, label, promise) {
  if (!stream.isTTY) return promise;
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  const draw = () => { stream.write(`\r${frames[i % frames.length]} ${label}`); i += 1; };
  draw();
  const timer = setInterval(draw, 80);
  try {
    return await promise;
  } finally {
    clearInterval(timer);
    stream.write('\r\x1b[K');
  }
}

/** Formats run options as `key: a|b|c; key2: x|y`, or `-` when there are none. */
function formatRunOptions(model) {
  const options = Array.isArray(model.availableRunOptions) ? model.availableRunOptions : [];
  if (options.length === 0) return '-';
  return options.map((o) => `${safe(o.key)}: ${o.options.map(safe).join('|')}`).join('; ');
}

/** A plain text table with a header row, columns padded to their widest cell. */
function formatTable(models) {
  const rows = [['MODEL', 'MODALITY', 'RUN OPTIONS'], ...models.map((m) => [safe(m.model), safe(m.modality), formatRunOptions(m)])];
  const widths = [0, 1].map((c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}`.trimEnd()).join('\n');
}

const noKey = () => new UsageError(`no API key: set ${KEY_ENV}=<key> in the environment, or pass it on standard input with --api-key-stdin (or --api-key <key>). `
  + 'A stored catalog is kept per API key, so a run without one has none to print either');

/**
 * Whether the catalog in `result` is a stored one served because the API
 * could not be reached (the client's stale-if-error): a failed sync.
 */
const STALE_IF_ERROR = 'served from cache: ';
const unreachable = (result) => result.source === 'cache' && result.stale === true
  && result.warnings.some((w) => w.startsWith(STALE_IF_ERROR));

/** `models`: ask the API (unless a fresh catalog is stored and --max-age allows it) and list. */
async function runModels(args, settings, storage, io, lib) {
  const client = new lib.ResourcesClient({ ...settings, storage });
  const refresh = args.flags.refresh === true;
  const cached = client.cached();
  const needsRequest = refresh || settings.maxAgeMs === 0 || cached === null || cached.stale;
  if (needsRequest && settings.apiKey === undefined) throw noKey();
  const result = await withSpinner(io.stderr, 'fetching the model catalog…', client.fetchResources({ refresh }));
  const { modality } = args.flags;
  const all = result.resources.models;
  const models = modality === undefined ? all : all.filter((m) => m.modality === modality);
  if (modality !== undefined && models.length === 0 && !args.flags.json) {
    const known = [...new Set(all.map((m) => String(m.modality)))].sort();
    io.stderr.write(`note: no model has modality "${safe(modality)}" (known: ${known.map(safe).join(', ') || 'none'})\n`);
  }
  if (args.flags.json) {
    const out = { ...result, resources: { ...result.resources, models } };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    for (const w of result.warnings) io.stderr.write(`warning: ${safe(w)}\n`);
    io.stdout.write(`${formatTable(models)}\n`);
    const note = result.stale ? ', stale' : '';
    io.stderr.write(`${models.length} of ${all.length} models, hash ${result.hash} (${result.source}${note})\n`);
  }
  return result;
}

/**
 * `resources`: the stored catalog without a request when one is stored, else
 * fetch and store it; `--remote` fetches without storing, `--sync` fetches and stores.
 */
async function runResources(args, settings, storage, io, lib) {
  const { remote, sync } = args.flags;
  // --remote: a memory store, so nothing is written and no stored copy is served instead.
  const client = new lib.ResourcesClient({ ...settings, maxAgeMs: 0, storage: remote ? 'memory' : storage });
  let result = remote || sync || settings.apiKey === undefined ? null : client.cached();
  let asked = false;
  if (result === null) {
    if (settings.apiKey === undefined) throw noKey();
    result = await withSpinner(io.stderr, 'fetching the model catalog…', client.fetchResources({ refresh: true }));
    asked = true;
  }
  const { resources } = result;
  if (!args.flags.json) for (const w of result.warnings) io.stderr.write(`warning: ${safe(w)}\n`);
  if (args.flags.json) {
    const out = args.flags['models-only'] ? resources.models : { hash: result.hash, resources };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return asked ? result : null;
  }
  let text = `${formatTable(resources.models)}\n`;
  if (!args.flags['models-only']) {
    // Sections beside `models` are kept as the server sent them, and shown as JSON.
    for (const [name, value] of Object.entries(resources)) {
      if (name !== 'models') text += `\n${safe(name)}:\n${safe(JSON.stringify(value, null, 2)).replaceAll('\\x0a', '\n')}\n`;
    }
  }
  io.stdout.write(text);
  const where = result.source === 'cache' ? (result.stale ? 'stored, stale' : 'stored') : remote ? 'network, not stored' : 'network';
  io.stderr.write(`${resources.models.length} models, hash ${result.hash} (${where})\n`);
  return asked ? result : null;
}

/**
 * Runs the tool. Returns the exit code; writes only to the given streams.
 * @param {string[]} argv
 * @param {{ env: NodeJS.ProcessEnv, stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream, readStdin?: () => string }} io
 */
async function main(argv, io) {
  // The package (and its wasm) is loaded only once a request may be made: --help needs none of it.
  let lib = null;
  let json = argv.includes('--json');
  /** Writes an error: `error: CODE message` lines, or with --json one JSON object. */
  const fail = (code, status, message, exit) => {
    if (json) io.stderr.write(`${JSON.stringify({ error: { code, status, message } })}\n`);
    else io.stderr.write(`error: ${safe(message.startsWith(code) ? message : `${code}: ${message}`)}\n`);
    return exit;
  };
  try {
    const args = parseArgs(argv);
    json = args.flags.json === true;
    if (args.help) { io.stdout.write(COMMAND_HELP[args.command] ?? HELP); return EXIT_OK; }
    if (args.version) { io.stdout.write(`${version()}\n`); return EXIT_OK; }
    checkCommand(args);
    const settings = clientSettings(args, io.env, io.readStdin ?? (() => require('node:fs').readFileSync(0, 'utf8')));
    const storage = new FileStorage(args.flags['cache-dir'] ?? defaultCacheDir(io.env));
    lib = require('./index.cjs');
    const common = {
      baseUrl: settings.baseUrl,
      apiKey: settings.apiKey,
      timeoutMs: settings.timeoutMs,
      retries: settings.retries,
      maxAgeMs: settings.maxAgeMs,
      storageKey: 'resources-client-cli',
      headers: { 'user-agent': userAgent() },
    };
    let result;
    try {
      if (args.command === 'models') result = await runModels(args, common, storage, io, lib);
      else result = await runResources(args, common, storage, io, lib);
    } catch (e) {
      // A bad option value reaches the client as INVALID_OPTIONS: a usage error too.
      if (e instanceof lib.ResourcesError && e.code === 'INVALID_OPTIONS') throw new UsageError(e.message.replace(/^invalid options:\s*/, ''));
      throw e;
    }
    // A sync that could not reach the API printed the stored catalog: say so in the exit code.
    if (result && unreachable(result) && !args.flags['allow-stale']) {
      const why = result.warnings.find((w) => w.startsWith(STALE_IF_ERROR)).slice(STALE_IF_ERROR.length);
      return fail('STALE', 0, `the API could not be reached, so the stored catalog was printed (${why}); --allow-stale accepts it`, EXIT_STALE);
    }
    return EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message.startsWith('a command is needed') && !json) {
        io.stderr.write(`error: USAGE: ${e.message}\n\n${HELP}`);
        return EXIT_USAGE;
      }
      const hint = /needs a value|unknown option|takes no value/.test(e.message) ? ' (see resources-client --help)' : '';
      return fail('USAGE', 0, `${e.message}${hint}`, EXIT_USAGE);
    }
    if (lib !== null && e instanceof lib.ResourcesError) {
      // The message usually starts with the code already; it is not repeated.
      return fail(e.code, e.status, e.message, EXIT_FAILED);
    }
    throw e;
  }
}

module.exports = { main, parseArgs, formatTable, nearest, KEY_ENV, BASE_URL_ENV, EXIT_STALE };

if (require.main === module) {
  main(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => { process.exitCode = code; },
    (e) => {
      process.stderr.write(`error: INTERNAL: ${e && e.message ? e.message : String(e)}\n`);
      process.exitCode = EXIT_FAILED;
    },
  );
}
