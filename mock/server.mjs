#!/usr/bin/env node
// A mock of the BetterPrompt API (`GET /v1/resources` and neighbours) for tests
// and demos. Plain Node.js 20, built-in modules only.
//
//   node mock/server.mjs [--port N] [--host 127.0.0.1] [--api-key KEY]
//                        [--static DIR] [--pkg DIR] [--rate-limit N] [--verbose]
//
// or, from code:
//
//   import { startMockServer } from './mock/server.mjs';
//   const mock = await startMockServer({ port: 0 });
//   ... fetch(`${mock.url}/v1/resources`, ...) ...
//   await mock.close();
//
// This file starts the server and routes each request to its part: api.mjs
// (the API), faults.mjs (fault injection), control.mjs (the control API under
// `/__control/`), static.mjs (files for demo pages), state.mjs (catalog, fault
// queue, rate limit, log), http.mjs (envelopes and writing responses) and
// cli.mjs (the command line). See mock/README.md.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CATALOG } from './catalog.mjs';
import { handleApi } from './api.mjs';
import { handleControl } from './control.mjs';
import { canWrite, errorResponse, isApiPath, isControlPath, send } from './http.mjs';
import { handleStatic } from './static.mjs';
import { DEFAULT_API_KEY, MockState } from './state.mjs';

export { DEFAULT_API_KEY, MockState } from './state.mjs';
export { errorCodeFor, sentResourcesHash } from './http.mjs';

const BIND_ADDRESS = '127.0.0.1';
const ALLOWED_HOSTS = new Set(['127.0.0.1', 'localhost']);

const EXPOSED_HEADERS = 'action-require, retry-after, content-type';
const ALLOWED_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
const DEFAULT_ALLOWED_HEADERS = 'authorization, accept, content-type, cli-agent';

// ---------------------------------------------------------------------------
// Request handling

/** An origin on this machine (`http://127.0.0.1:<port>`, `http://localhost:<port>`): a test page. */
function isLoopbackOrigin(origin) {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && ALLOWED_HOSTS.has(url.hostname) && url.origin === origin;
  } catch {
    return false;
  }
}

/**
 * Whether a request to `area` may be answered with CORS headers. The API
 * (`/v1/*`) answers any origin, as the real one does for browser clients.
 * Static files never: the demo page is same-origin, and its generated
 * `demo-config.js` may hold a real key that no other site may read. The
 * control API never on a server with static files (the demo's page is
 * same-origin); on an API-only server (the test setups, whose pages come from
 * a second local server) only for a loopback origin, so no web page can drive it.
 */
function corsAllowed(req, area, options) {
  if (area === 'api') return true;
  if (area === 'static' || options.staticDir) return false;
  return req.headers.origin === undefined || isLoopbackOrigin(req.headers.origin);
}

/** CORS headers: the API's errors included, but see `corsAllowed`. */
function applyCors(req, res) {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin || '*');
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
}

/**
 * Whether the Host header names this machine. A page of any site whose name
 * is made to resolve to 127.0.0.1 (DNS rebinding) would be "same-origin" with
 * the demo; its requests carry its own host name and are refused.
 */
function isLocalHost(req) {
  const host = String(req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return ALLOWED_HOSTS.has(host.toLowerCase());
}

function answerPreflight(req, res) {
  res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
  res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] || DEFAULT_ALLOWED_HEADERS);
  res.setHeader('Access-Control-Max-Age', '600');
  // Chrome's Private Network Access asks before a public page may call 127.0.0.1.
  if (req.headers['access-control-request-private-network'] === 'true') {
    res.setHeader('Access-Control-Allow-Private-Network', 'true');
  }
  res.writeHead(204);
  res.end();
}

/** The request handler: CORS, the log, then the API, control API or static files. */
function createHandler(state, options) {
  return async function handle(req, res) {
    const started = Date.now();
    let url;
    try {
      url = new URL(req.url, `http://${BIND_ADDRESS}`);
    } catch {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('Bad request\n');
    }
    const ctx = { req, res, state, path: url.pathname, search: url.search, entry: null, closed: false };
    res.once('close', () => {
      ctx.closed = true;
    });
    const area = isControlPath(ctx.path) ? 'control' : isApiPath(ctx.path) || !options.staticDir ? 'api' : 'static';
    if (corsAllowed(req, area, options)) applyCors(req, res);
    if (area !== 'api' && !isLocalHost(req)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('Misdirected request: this server answers only to 127.0.0.1 and localhost\n');
    }

    // Everything except control and static requests is logged, failures and preflights included.
    if (area === 'api') ctx.entry = state.record(req, ctx.path);
    if (options.log) {
      res.once('close', () => {
        const status = res.headersSent ? res.statusCode : '(no response)';
        process.stderr.write(`${req.method} ${req.url} -> ${status} ${Date.now() - started}ms\n`);
      });
    }

    try {
      // Preflights need no auth and never consume faults or rate-limit budget.
      if (req.method === 'OPTIONS') {
        if (ctx.entry) ctx.entry.status = 204;
        if (corsAllowed(req, area, options)) return answerPreflight(req, res);
        // No CORS headers: the browser refuses the cross-origin request.
        res.writeHead(204);
        return res.end();
      }
      if (area === 'control') return await handleControl(ctx);
      if (area === 'static') return await handleStatic(ctx, options);
      return await handleApi(ctx);
    } catch (err) {
      // A bug in the mock must not take the process down mid-test.
      process.stderr.write(`mock server error: ${err?.stack ?? err}\n`);
      if (canWrite(ctx)) send(ctx, errorResponse(500, 'Mock server error.'));
      else res.destroy();
    }
  };
}

// ---------------------------------------------------------------------------
// Public API

/**
 * Starts the mock server on 127.0.0.1.
 *
 * @param {object} [options]
 * @param {number} [options.port=0]            0 picks a free port
 * @param {string} [options.host='127.0.0.1']  only '127.0.0.1' or 'localhost' (both bind 127.0.0.1)
 * @param {string} [options.apiKey='sk-mock-demo']
 * @param {boolean} [options.log=false]        request lines on stderr
 * @param {string|null} [options.staticDir=null]  serve files for non-API paths
 * @param {string|null} [options.pkgDir=null]  serve `/pkg/...` from here (needs staticDir)
 * @param {object} [options.resources]         initial catalog (default DEFAULT_CATALOG)
 * @param {number|null} [options.rateLimitPerSecond=null]
 * @returns {Promise<{url: string, port: number, close(): Promise<void>, state: MockState}>}
 */
export async function startMockServer({
  port = 0,
  host = BIND_ADDRESS,
  apiKey = DEFAULT_API_KEY,
  log = false,
  staticDir = null,
  pkgDir = null,
  resources = DEFAULT_CATALOG,
  rateLimitPerSecond = null,
} = {}) {
  if (!ALLOWED_HOSTS.has(host)) {
    throw new Error(`Refusing to listen on ${host}: the mock server only binds 127.0.0.1 (or "localhost").`);
  }
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new Error(`Invalid port ${port}.`);
  if (typeof apiKey !== 'string' || apiKey === '') throw new Error('apiKey must be a non-empty string.');
  const options = { log, staticDir: checkDir(staticDir, 'staticDir'), pkgDir: checkDir(pkgDir, 'pkgDir') };

  const state = new MockState({ apiKey, resources, rateLimitPerSecond });
  const server = http.createServer(createHandler(state, options));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, BIND_ADDRESS, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const actualPort = server.address().port;
  let closing = null;
  const close = () => {
    closing ??= new Promise((resolve) => {
      server.close(() => resolve());
      // Hanging and dripping responses would keep close() waiting forever.
      server.closeAllConnections();
    });
    return closing;
  };
  return { url: `http://${BIND_ADDRESS}:${actualPort}`, port: actualPort, close, state };
}

function checkDir(dir, name) {
  if (dir === null || dir === undefined) return null;
  const absolute = path.resolve(dir);
  if (!fs.statSync(absolute, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`${name} ${dir} is not a directory.`);
  }
  return absolute;
}


const invokedDirectly = process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const { main } = await import('./cli.mjs');
  await main(process.argv.slice(2), startMockServer);
}
