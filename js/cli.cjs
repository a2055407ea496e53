#!/usr/bin/env node
'use strict';
// The resources-client command-line tool: lists the models an API offers.
// Exit codes: 0 success, 1 the request failed, 2 usage error; on failure the
// error code is the first word on stderr after "error: ".
const path = require('node:path');
const { FileStorage, defaultCacheDir } = require('./file-storage.cjs');

const KEY_ENV = 'RESOURCES_API_KEY';
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

const HELP = `Usage: resources-client models [options]

Lists the models of GET /v1/resources with their modality and run options.

Options:
  --modality NAME   only models of this modality (text, image, video, ...)
  --json            print the result as JSON instead of a table
  --refresh         ask the network even when the cached catalog is fresh
  --max-age SECS    serve the cached catalog without a request while it is
                    younger than this (default 0: always revalidate)
  --base-url URL    API base (default https://api.betterprompt.me)
  --api-key KEY     API key (default: the ${KEY_ENV} environment variable)
  --cache-dir DIR   where the hash and catalog are kept (default: the user's
                    cache directory, ${defaultCacheDir()})
  -h, --help        show this help
  -v, --version     show the version

The API key is sent to the API only: it is never written to the cache file
and never printed. Exit codes: 0 success, 1 the request failed (stderr says
"error: <CODE> ..." with the error code first), 2 usage error.
`;

/** A usage problem: exit code 2 with a pointer to --help. */
class UsageError extends Error {}

const VALUE_FLAGS = new Set(['--modality', '--base-url', '--api-key', '--cache-dir', '--max-age']);
const BOOLEAN_FLAGS = new Set(['--json', '--refresh']);

/**
 * Parses argv (without node and the script). Accepts `--flag value` and `--flag=value`.
 * @param {string[]} argv
 */
function parseArgs(argv) {
  const args = { command: null, flags: {}, help: false, version: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') { args.help = true; continue; }
    if (arg === '-v' || arg === '--version') { args.version = true; continue; }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg : arg.slice(0, eq);
      if (BOOLEAN_FLAGS.has(name)) {
        if (eq !== -1) throw new UsageError(`${name} takes no value`);
        args.flags[name.slice(2)] = true;
      } else if (VALUE_FLAGS.has(name)) {
        let value;
        if (eq !== -1) value = arg.slice(eq + 1);
        else {
          value = argv[i + 1];
          i += 1;
        }
        // The value itself is never echoed: it may be a key.
        if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
        args.flags[name.slice(2)] = value;
      } else {
        throw new UsageError(`unknown option ${name}`);
      }
      continue;
    }
    if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    if (args.command !== null) throw new UsageError('only one command may be given');
    args.command = arg;
  }
  return args;
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
  return options.map((o) => `${o.key}: ${o.options.join('|')}`).join('; ');
}

/** A plain text table with a header row, columns padded to their widest cell. */
function formatTable(models) {
  const rows = [['MODEL', 'MODALITY', 'RUN OPTIONS'], ...models.map((m) => [m.model, String(m.modality), formatRunOptions(m)])];
  const widths = [0, 1].map((c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}`.trimEnd()).join('\n');
}

/**
 * Runs the tool. Returns the exit code; writes only to the given streams.
 * @param {string[]} argv
 * @param {{ env: NodeJS.ProcessEnv, stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream }} io
 */
async function main(argv, io) {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`error: USAGE: ${e.message} (see resources-client --help)\n`);
    return EXIT_USAGE;
  }
  if (args.help) { io.stdout.write(HELP); return EXIT_OK; }
  if (args.version) {
    io.stdout.write(`${require(path.join(__dirname, 'package.json')).version}\n`);
    return EXIT_OK;
  }
  if (args.command !== 'models') {
    const what = args.command === null ? 'a command is needed' : `unknown command "${args.command}"`;
    io.stderr.write(`error: USAGE: ${what}\n\n${HELP}`);
    return EXIT_USAGE;
  }
  let maxAgeMs = 0;
  if (args.flags['max-age'] !== undefined) {
    const secs = Number(args.flags['max-age']);
    if (!Number.isFinite(secs) || secs < 0) {
      io.stderr.write('error: USAGE: --max-age takes a number of seconds\n');
      return EXIT_USAGE;
    }
    maxAgeMs = Math.round(secs * 1000);
  }

  const { ResourcesClient, ResourcesError } = require('./index.cjs');
  const apiKey = args.flags['api-key'] ?? (io.env[KEY_ENV] || undefined);
  const storage = new FileStorage(args.flags['cache-dir'] ?? defaultCacheDir(io.env));
  try {
    const client = new ResourcesClient({
      baseUrl: args.flags['base-url'],
      apiKey,
      storage,
      storageKey: 'resources-client-cli',
      maxAgeMs,
    });
    const result = await withSpinner(io.stderr, 'fetching the model catalog…', client.fetchResources({ refresh: args.flags.refresh === true }));
    const modality = args.flags.modality;
    const models = modality === undefined ? result.resources.models : result.resources.models.filter((m) => m.modality === modality);
    if (args.flags.json) {
      const out = { ...result, resources: { ...result.resources, models } };
      io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      for (const w of result.warnings) io.stderr.write(`warning: ${w}\n`);
      io.stdout.write(`${formatTable(models)}\n`);
      const note = result.stale ? ', stale' : '';
      io.stderr.write(`${models.length} of ${result.resources.models.length} models, hash ${result.hash} (${result.source}${note})\n`);
    }
    return EXIT_OK;
  } catch (e) {
    if (e instanceof ResourcesError) {
      // The message usually starts with the code already; it is not repeated.
      const text = e.message.startsWith(e.code) ? e.message : `${e.code}: ${e.message}`;
      io.stderr.write(`error: ${text}\n`);
      return EXIT_FAILED;
    }
    throw e;
  }
}

module.exports = { main, parseArgs, formatTable, KEY_ENV };

if (require.main === module) {
  main(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
    (code) => { process.exitCode = code; },
    (e) => {
      process.stderr.write(`error: INTERNAL: ${e && e.message ? e.message : String(e)}\n`);
      process.exitCode = EXIT_FAILED;
    },
  );
}
