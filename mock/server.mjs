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
// Besides the API it offers a control API under `/__control/` (no auth) to
// switch catalogs, inject faults, turn on rate limiting and read a request log.
// See mock/README.md.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_CATALOG, CHANGED_CATALOG, hashOf, cloneCatalog } from './catalog.mjs';

export const DEFAULT_API_KEY = 'sk-mock-demo';

const BIND_ADDRESS = '127.0.0.1';
const ALLOWED_HOSTS = new Set(['127.0.0.1', 'localhost']);
const LOG_CAP = 10_000;
const MAX_BODY_BYTES = 1024 * 1024;
// Control requests may carry large test bodies (a 10 MB catalog, megabytes of headers).
const CONTROL_MAX_BODY_BYTES = 64 * 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';

const EXPOSED_HEADERS = 'action-require, retry-after, content-type';
const ALLOWED_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
const DEFAULT_ALLOWED_HEADERS = 'authorization, accept, content-type, cli-agent';

const ERROR_CODES = {
  400: 'BAD_REQUEST_ERROR',
  401: 'UNAUTHORIZED_ERROR',
  402: 'PAYMENT_REQUIRED_ERROR',
  404: 'NOT_FOUND_ERROR',
  410: 'GONE_ERROR',
  422: 'VALIDATION_ERROR',
  429: 'TOO_MANY_REQUESTS_ERROR',
  500: 'SERVER_ERROR',
  504: 'GATEWAY_TIMEOUT_ERROR',
};

const DEFAULT_MESSAGES = {
  400: 'Bad request.',
  401: 'Missing or invalid API key.',
  402: 'Your plan has lapsed.',
  404: 'Not found.',
  410: 'This resource is gone.',
  422: 'Validation failed.',
  429: 'Too many requests.',
  500: 'Internal server error.',
  504: 'Gateway timeout.',
};

const FAULT_KINDS = new Set(['html', 'empty', 'malformed', 'reset', 'drip', 'hang']);
const FAULT_FIELDS = new Set([
  'path', 'status', 'body', 'bodyBase64', 'contentType', 'headers', 'retryAfter',
  'delayMs', 'kind', 'dripMs', 'times',
]);
const HTML_502 = '<html><body><h1>502 Bad Gateway</h1></body></html>';
const MALFORMED_BODY = '{"status":"SUCCESS","data":{"hash":';
const DEFAULT_FAULT_PATH = '/v1/resources';
const DEFAULT_DRIP_MS = 200;

const STATIC_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': JSON_TYPE,
  '.map': JSON_TYPE,
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
};

// ---------------------------------------------------------------------------
// Envelopes

/** The server's error code for an HTTP status (CONTRACT.md §1). */
export function errorCodeFor(status) {
  return ERROR_CODES[status] ?? (status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST_ERROR');
}

/** A response object for an error envelope: `{status, message, data}`. */
function errorResponse(status, message = DEFAULT_MESSAGES[status] ?? 'Request failed.', data = null) {
  return jsonResponse(status, { status: errorCodeFor(status), message, data });
}

function successResponse(data) {
  return jsonResponse(200, { status: 'SUCCESS', data });
}

// Responses are plain objects until they are written, so faults can rewrite them.
function jsonResponse(status, value) {
  return { status, type: JSON_TYPE, headers: {}, body: JSON.stringify(value) };
}

// ---------------------------------------------------------------------------
// Small helpers

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isApiPath = (p) => p === '/v1' || p.startsWith('/v1/');
const isControlPath = (p) => p === '/__control' || p.startsWith('/__control/');

/**
 * The hash a client claims to hold, from its `cli-agent` header, or null.
 * Lenient on purpose: the value may carry other tokens separated by `;`, `,`
 * or spaces (`my-cli/1.2; resources_hash=abc os=linux`), and may be quoted.
 */
export function sentResourcesHash(cliAgent) {
  if (typeof cliAgent !== 'string') return null;
  const match = /(?:^|[\s;,])resources_hash\s*=\s*("?)([^\s;,"]*)\1/i.exec(cliAgent);
  return match ? match[2] : null;
}

/** Whether an `Authorization` header carries the configured key (scheme is case-insensitive). */
function hasValidKey(authorization, apiKey) {
  const match = /^Bearer[ \t]+(.+)$/i.exec(authorization ?? '');
  return match !== null && match[1].trim() === apiKey;
}

/**
 * Reads a request body as text. Past MAX_BODY_BYTES the rest is drained and
 * dropped (so a 413 can still be answered) and the promise rejects with `tooLarge`.
 */
function readBody(req, limit = MAX_BODY_BYTES) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > limit) reject(Object.assign(new Error('body too large'), { tooLarge: true }));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** Waits `ms`, or less if the response closes first (client gone, server closing). */
function sleep(ctx, ms) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      ctx.res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    ctx.res.once('close', done);
  });
}

// ---------------------------------------------------------------------------
// State: catalog, faults, rate limit, request log

class ControlError extends Error {}

/**
 * Everything the control API can change. Exposed as `state` by
 * `startMockServer`, so in-process tests may call these methods directly
 * instead of going through HTTP.
 */
export class MockState {
  constructor({ apiKey = DEFAULT_API_KEY, resources = DEFAULT_CATALOG, rateLimitPerSecond = null } = {}) {
    this.apiKey = apiKey;
    this.initialResources = resources;
    this.initialRateLimit = rateLimitPerSecond;
    this.reset();
  }

  /** Default catalog (or the one given at start), no faults, no rate limit, empty log. */
  reset() {
    this.setCatalog(this.initialResources);
    this.faults = [];
    this.setRateLimit(this.initialRateLimit);
    this.clearLog();
    this.requestCount = 0;
    this.runCount = 0;
  }

  // --- catalog

  /** Serves `resources` as is (any JSON value); the hash is recomputed from it. */
  setCatalog(resources) {
    this.resources = cloneCatalog(resources);
    this.hash = hashOf(this.resources);
  }

  usePreset(name) {
    const presets = { default: DEFAULT_CATALOG, changed: CHANGED_CATALOG };
    if (!Object.hasOwn(presets, name)) throw new ControlError(`Unknown preset ${JSON.stringify(name)}; use "default" or "changed".`);
    this.setCatalog(presets[name]);
  }

  /** Overrides the served hash (any value, even an invalid one, for client tests). */
  setHash(hash) {
    this.hash = hash;
  }

  // --- faults

  addFaults(faults) {
    if (!Array.isArray(faults)) throw new ControlError('"faults" must be an array.');
    const normalized = faults.map(normalizeFault); // validate all before queueing any
    this.faults.push(...normalized);
  }

  clearFaults() {
    this.faults = [];
  }

  /** The first queued fault matching `pathname`, consumed once. */
  takeFault(pathname) {
    const index = this.faults.findIndex((f) => f.path === '*' || f.path === pathname);
    if (index === -1) return null;
    const fault = this.faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  /** How many more requests will be hit by a fault (a fault with `times: 3` counts 3). */
  get pendingFaults() {
    return this.faults.reduce((sum, f) => sum + f.remaining, 0);
  }

  // --- rate limit

  setRateLimit(perSecond) {
    if (perSecond === null || perSecond === undefined || perSecond === 0) {
      this.rateLimitPerSecond = null;
    } else if (Number.isInteger(perSecond) && perSecond > 0) {
      this.rateLimitPerSecond = perSecond;
    } else {
      throw new ControlError('"perSecond" must be a positive integer or null.');
    }
    this.recentRequests = [];
  }

  /**
   * Sliding one-second window over every API request that arrives (rejected
   * ones included, as a real limiter counts them too). False means "answer 429".
   */
  admit(now = Date.now()) {
    if (this.rateLimitPerSecond === null) return true;
    this.recentRequests = this.recentRequests.filter((t) => now - t < 1000);
    this.recentRequests.push(now);
    return this.recentRequests.length <= this.rateLimitPerSecond;
  }

  // --- request log

  /** Adds a log entry for a request; the caller fills in status/actionRequire when it answers. */
  record(req, pathname) {
    this.requestCount += 1;
    const entry = {
      n: this.requestCount,
      method: req.method,
      path: pathname,
      headers: this.redactHeaders(req.headers),
      status: null, // stays null when no response was ever sent (hang, client gone)
      at: Date.now(),
      actionRequire: false,
    };
    this.log.push(entry);
    if (this.log.length > LOG_CAP) this.log.splice(0, this.log.length - LOG_CAP);
    return entry;
  }

  // The log is readable without auth, so the key must never appear in it.
  redactHeaders(headers) {
    const copy = { ...headers }; // Node already lowercases header names
    if (copy.authorization !== undefined) {
      copy.authorization = hasValidKey(copy.authorization, this.apiKey) ? 'Bearer <redacted>' : '<wrong>';
    }
    return copy;
  }

  clearLog() {
    this.log = [];
  }

  /** What `GET /__control/state` returns. Never includes the API key. */
  snapshot() {
    return {
      hash: this.hash,
      resources: this.resources,
      rateLimitPerSecond: this.rateLimitPerSecond,
      pendingFaults: this.pendingFaults,
      requestCount: this.requestCount,
    };
  }
}

/** Validates a fault from the control API and fills in defaults. */
function normalizeFault(fault, i) {
  const where = `faults[${i}]`;
  if (!isPlainObject(fault)) throw new ControlError(`${where} must be an object.`);
  // Unknown fields are rejected: a typo ("delay") would otherwise silently do nothing.
  for (const key of Object.keys(fault)) {
    if (!FAULT_FIELDS.has(key)) throw new ControlError(`${where}.${key} is not a fault field.`);
  }
  const f = { ...fault };
  f.path ??= DEFAULT_FAULT_PATH;
  if (typeof f.path !== 'string' || !(f.path === '*' || f.path.startsWith('/'))) {
    throw new ControlError(`${where}.path must be "*" or start with "/".`);
  }
  if (f.status !== undefined && !(Number.isInteger(f.status) && f.status >= 100 && f.status <= 599)) {
    throw new ControlError(`${where}.status must be an HTTP status (100-599).`);
  }
  if (f.body !== undefined && typeof f.body !== 'string') f.body = JSON.stringify(f.body);
  // Raw bytes (invalid UTF-8, a lone BOM...) that a JSON string cannot carry.
  if (f.bodyBase64 !== undefined) {
    if (typeof f.bodyBase64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(f.bodyBase64)) {
      throw new ControlError(`${where}.bodyBase64 must be a base64 string.`);
    }
    if (f.body !== undefined) throw new ControlError(`${where}: send either body or bodyBase64, not both.`);
  }
  if (f.contentType !== undefined && typeof f.contentType !== 'string') {
    throw new ControlError(`${where}.contentType must be a string.`);
  }
  if (f.headers !== undefined) {
    if (!isPlainObject(f.headers)) throw new ControlError(`${where}.headers must be an object.`);
    f.headers = Object.fromEntries(Object.entries(f.headers).map(([k, v]) => [k, String(v)]));
  }
  if (f.retryAfter !== undefined) f.retryAfter = String(f.retryAfter);
  for (const key of ['delayMs', 'dripMs']) {
    if (f[key] !== undefined && !(Number.isFinite(f[key]) && f[key] >= 0)) {
      throw new ControlError(`${where}.${key} must be a number >= 0.`);
    }
  }
  if (f.kind !== undefined && !FAULT_KINDS.has(f.kind)) {
    throw new ControlError(`${where}.kind must be one of ${[...FAULT_KINDS].join(', ')}.`);
  }
  const times = f.times ?? 1;
  if (!(Number.isInteger(times) && times >= 1)) throw new ControlError(`${where}.times must be an integer >= 1.`);
  delete f.times;
  f.remaining = times;
  return f;
}

// ---------------------------------------------------------------------------
// API routes

const API_ROUTES = {
  '/v1/resources': { GET: getResources },
  '/v1/me': { GET: getMe },
  '/v1/runs': { POST: postRun },
};

function getResources(ctx) {
  const { hash, resources } = ctx.state;
  return successResponse({ hash, resources });
}

function getMe() {
  return successResponse({ id: 'user_mock', plan: 'pro' });
}

/** Validates a run against the current catalog, like the real server does (422 on bad options). */
function postRun(ctx) {
  let body;
  try {
    body = JSON.parse(ctx.bodyText);
  } catch {
    return errorResponse(400, 'Request body must be JSON.');
  }
  if (!isPlainObject(body)) return errorResponse(400, 'Request body must be a JSON object.');

  const invalid = (field, message) => errorResponse(422, message, { field });
  const { model, prompt, runOptions = {} } = body;
  if (typeof model !== 'string' || model === '') return invalid('model', '"model" is required.');
  const entry = findModel(ctx.state.resources, model);
  if (!entry) return invalid('model', `Unknown model "${model}".`);
  if (prompt !== undefined && typeof prompt !== 'string') return invalid('prompt', '"prompt" must be a string.');
  if (!isPlainObject(runOptions)) return invalid('runOptions', '"runOptions" must be an object.');

  const accepted = Array.isArray(entry.availableRunOptions) ? entry.availableRunOptions : [];
  for (const [key, value] of Object.entries(runOptions)) {
    const field = `runOptions.${key}`;
    const option = accepted.find((o) => isPlainObject(o) && o.key === key);
    if (!option) return invalid(field, `Model "${model}" does not accept run option "${key}".`);
    if (typeof value !== 'string') return invalid(field, `Run option "${key}" must be a string.`);
    const options = Array.isArray(option.options) ? option.options : [];
    if (!options.includes(value)) {
      return invalid(field, `Run option "${key}" must be one of: ${options.join(', ')}.`);
    }
  }

  ctx.state.runCount += 1;
  const summary = typeof prompt === 'string' && prompt !== '' ? prompt.slice(0, 80) : '(empty prompt)';
  return successResponse({ runId: `run_${ctx.state.runCount}`, model, output: `(mock) ${model}: ${summary}` });
}

// The catalog may have any shape (tests store odd ones), so look it up defensively.
function findModel(resources, id) {
  const models = isPlainObject(resources) && Array.isArray(resources.models) ? resources.models : [];
  return models.find((m) => isPlainObject(m) && m.model === id) ?? null;
}

/** The response the API would give without any fault. */
function normalApiResponse(ctx) {
  const route = API_ROUTES[ctx.path];
  if (!route) return errorResponse(404, `No route for ${ctx.path}.`);
  const method = ctx.req.method === 'HEAD' ? 'GET' : ctx.req.method;
  const handler = route[method];
  if (!handler) {
    const response = errorResponse(405, `Method ${ctx.req.method} is not allowed on ${ctx.path}.`);
    response.headers.Allow = Object.keys(route).join(', ');
    return response;
  }
  if (!hasValidKey(ctx.req.headers.authorization, ctx.state.apiKey)) return errorResponse(401);
  return handler(ctx);
}

// ---------------------------------------------------------------------------
// Writing responses

/**
 * Final headers for an API response, and the log entry update. This is where
 * cache invalidation happens: a 2xx answer to a client holding an outdated
 * hash carries `action-require: update-resources`.
 */
function headForApi(ctx, response, contentLength) {
  const headers = {};
  if (response.type) headers['Content-Type'] = response.type;
  headers['Content-Length'] = String(contentLength);
  const sent = isApiPath(ctx.path) ? sentResourcesHash(ctx.req.headers['cli-agent']) : null;
  const outdated = response.status >= 200 && response.status < 300 && sent !== null && sent !== String(ctx.state.hash);
  if (outdated) headers['action-require'] = 'update-resources';
  Object.assign(headers, response.headers); // fault headers win, so tests can send anything
  if (ctx.entry) {
    ctx.entry.status = response.status;
    ctx.entry.actionRequire = outdated;
  }
  return headers;
}

// Nothing is written once the response is under way or the connection is gone.
const canWrite = (ctx) => !ctx.closed && !ctx.res.headersSent && !ctx.res.destroyed;

function send(ctx, response) {
  const { res } = ctx;
  if (!canWrite(ctx)) return;
  const body = Buffer.from(response.body ?? '');
  res.writeHead(response.status, headForApi(ctx, response, body.length));
  res.end(body);
}

/** Headers and the first half of the body, then the connection is cut. */
function sendThenReset(ctx, response) {
  const { res } = ctx;
  if (!canWrite(ctx)) return;
  const body = Buffer.from(response.body ?? '');
  // The full Content-Length is announced, so the client knows the body was cut short.
  res.writeHead(response.status, headForApi(ctx, response, body.length));
  res.flushHeaders();
  const half = body.subarray(0, Math.floor(body.length / 2));
  // Destroy only once the bytes reached the socket, or they would be dropped too.
  if (half.length > 0) res.write(half, () => res.socket?.destroy());
  else setTimeout(() => res.socket?.destroy(), 20);
}

/** The body one byte every `dripMs`; stops when the client or the server goes away. */
function sendDripping(ctx, response, dripMs) {
  const { res } = ctx;
  if (!canWrite(ctx)) return;
  const body = Buffer.from(response.body ?? '');
  res.writeHead(response.status, headForApi(ctx, response, body.length));
  res.flushHeaders();
  let offset = 0;
  const timer = setInterval(() => {
    if (ctx.closed || res.destroyed) return clearInterval(timer);
    if (offset >= body.length) {
      clearInterval(timer);
      return res.end();
    }
    res.write(body.subarray(offset, offset + 1));
    offset += 1;
  }, Math.max(1, dripMs));
  res.once('close', () => clearInterval(timer));
}

// ---------------------------------------------------------------------------
// Faults

/** The response a fault asks for, built on top of the normal one where the fault says so. */
function faultResponse(ctx, fault) {
  let response;
  switch (fault.kind) {
    case 'html':
      response = { status: fault.status ?? 502, type: 'text/html; charset=utf-8', headers: {}, body: HTML_502 };
      break;
    case 'empty':
      response = { status: fault.status ?? 200, type: null, headers: {}, body: '' };
      break;
    case 'malformed':
      response = { status: fault.status ?? 200, type: JSON_TYPE, headers: {}, body: MALFORMED_BODY };
      break;
    default:
      if (fault.status !== undefined && fault.status >= 400) {
        response = errorResponse(fault.status);
      } else {
        // No error asked for (delay, drip, reset, a 2xx/3xx status): the normal answer.
        response = normalApiResponse(ctx);
        if (fault.status !== undefined) response.status = fault.status;
      }
  }
  if ([204, 304].includes(response.status) || (response.status >= 100 && response.status < 200)) response.body = '';
  if (fault.body !== undefined) response.body = fault.body;
  if (fault.bodyBase64 !== undefined) response.body = Buffer.from(fault.bodyBase64, 'base64');
  if (fault.contentType !== undefined) response.type = fault.contentType;
  if (fault.retryAfter !== undefined) response.headers['Retry-After'] = fault.retryAfter;
  if (fault.headers) Object.assign(response.headers, fault.headers);
  return response;
}

async function applyFault(ctx, fault) {
  if (fault.delayMs) {
    await sleep(ctx, fault.delayMs);
    if (ctx.closed) return; // client or server went away meanwhile
  }
  // A hang is bounded: the socket goes when the client disconnects or the server closes.
  if (fault.kind === 'hang') return;
  const response = faultResponse(ctx, fault);
  if (fault.kind === 'reset') return sendThenReset(ctx, response);
  if (fault.kind === 'drip') return sendDripping(ctx, response, fault.dripMs ?? DEFAULT_DRIP_MS);
  return send(ctx, response);
}

// ---------------------------------------------------------------------------
// Request handling

/** CORS on every response: errors and control endpoints included. */
function applyCors(req, res) {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin || '*');
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
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

async function handleApi(ctx) {
  try {
    ctx.bodyText = await readBody(ctx.req);
  } catch (err) {
    return send(ctx, err.tooLarge ? errorResponse(413, 'Request body too large.') : errorResponse(400, 'Could not read the request body.'));
  }
  if (!isApiPath(ctx.path)) return send(ctx, errorResponse(404, `No route for ${ctx.path}.`));
  if (!ctx.state.admit()) {
    const response = errorResponse(429, 'Too many requests; slow down.');
    response.headers['Retry-After'] = '1';
    return send(ctx, response);
  }
  const fault = ctx.state.takeFault(ctx.path);
  if (fault) return applyFault(ctx, fault);
  return send(ctx, normalApiResponse(ctx));
}

/** Control API: JSON in and out, no auth, never logged. */
async function handleControl(ctx) {
  const { req, state } = ctx;
  const reply = (status, value) => send(ctx, jsonResponse(status, value));
  let body = {};
  try {
    const text = await readBody(req, CONTROL_MAX_BODY_BYTES);
    if (text.trim() !== '') body = JSON.parse(text);
  } catch {
    return send(ctx, errorResponse(400, 'Control request body must be JSON.'));
  }
  if (!isPlainObject(body) && !(ctx.path === '/__control/faults' && Array.isArray(body))) {
    return send(ctx, errorResponse(400, 'Control request body must be a JSON object.'));
  }

  try {
    switch (`${req.method} ${ctx.path}`) {
      case 'GET /__control/state':
        return reply(200, state.snapshot());
      case 'POST /__control/catalog':
        applyCatalogRequest(state, body);
        return reply(200, state.snapshot());
      case 'POST /__control/faults':
        state.addFaults(Array.isArray(body) ? body : body.faults);
        return reply(200, state.snapshot());
      case 'DELETE /__control/faults':
        state.clearFaults();
        return reply(200, state.snapshot());
      case 'POST /__control/rate-limit':
        if (!('perSecond' in body)) throw new ControlError('Send {"perSecond": N} or {"perSecond": null}.');
        state.setRateLimit(body.perSecond);
        return reply(200, state.snapshot());
      case 'GET /__control/log':
        return reply(200, { requests: state.log });
      case 'DELETE /__control/log':
        state.clearLog();
        return reply(200, { requests: [] });
      case 'POST /__control/reset':
        state.reset();
        return reply(200, state.snapshot());
      default:
        return send(ctx, errorResponse(404, `No control route ${req.method} ${ctx.path}.`));
    }
  } catch (err) {
    if (err instanceof ControlError) return send(ctx, errorResponse(400, err.message));
    throw err;
  }
}

// `{preset}` or `{resources}` picks the catalog; `{hash}` then overrides its hash.
function applyCatalogRequest(state, body) {
  const hasPreset = 'preset' in body;
  const hasResources = 'resources' in body;
  if (!hasPreset && !hasResources && !('hash' in body)) {
    throw new ControlError('Send {"preset": "default"|"changed"}, {"resources": {...}} and/or {"hash": "..."}.');
  }
  if (hasPreset && hasResources) throw new ControlError('Send either "preset" or "resources", not both.');
  if (hasPreset) state.usePreset(body.preset);
  if (hasResources) state.setCatalog(body.resources);
  if ('hash' in body) state.setHash(body.hash);
}

/** Static files for demo pages; `/pkg/` may come from a second directory (wasm-pack output). */
async function handleStatic(ctx, { staticDir, pkgDir }) {
  const { req, res } = ctx;
  const plain = (status, text, headers = {}) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    res.end(text);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(405, 'Method not allowed\n', { Allow: 'GET, HEAD' });

  let relative;
  try {
    relative = decodeURIComponent(ctx.path);
  } catch {
    return plain(400, 'Bad path\n');
  }
  if (relative.includes('\0')) return plain(400, 'Bad path\n');

  let root = staticDir;
  if (pkgDir && (relative === '/pkg' || relative.startsWith('/pkg/'))) {
    root = pkgDir;
    relative = relative.slice('/pkg'.length) || '/';
  }
  let file = path.resolve(root, `.${relative}`);
  // Decoding may have produced "../" (e.g. from "..%2f"); never leave the root.
  if (file !== root && !file.startsWith(root + path.sep)) return plain(404, 'Not found\n');

  let stat = await fs.promises.stat(file).catch(() => null);
  if (stat?.isDirectory()) {
    // Relative links in index.html only resolve against a URL ending in "/".
    if (!ctx.path.endsWith('/')) return plain(301, 'Moved\n', { Location: `${ctx.path}/${ctx.search}` });
    file = path.join(file, 'index.html');
    stat = await fs.promises.stat(file).catch(() => null);
  }
  if (!stat?.isFile()) return plain(404, 'Not found\n');

  res.writeHead(200, {
    'Content-Type': STATIC_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(stat.size),
    'Cache-Control': 'no-store', // a rebuilt wasm must show up on reload
  });
  if (req.method === 'HEAD') return res.end();
  fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

function createHandler(state, options) {
  return async function handle(req, res) {
    const started = Date.now();
    applyCors(req, res);
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
        return answerPreflight(req, res);
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

// ---------------------------------------------------------------------------
// Command line

const USAGE = `Usage: node mock/server.mjs [options]
  --port N          port to listen on (default 0: a free port)
  --host HOST       127.0.0.1 or localhost (default 127.0.0.1)
  --api-key KEY     accepted API key (default ${DEFAULT_API_KEY})
  --static DIR      also serve static files from DIR
  --pkg DIR         with --static: serve /pkg/... from DIR
  --rate-limit N    answer 429 past N API requests per second
  --verbose         log requests to stderr
Prints MOCK_URL=http://127.0.0.1:<port> once listening.`;

async function main(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'api-key': { type: 'string' },
        static: { type: 'string' },
        pkg: { type: 'string' },
        'rate-limit': { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  let mock;
  try {
    mock = await startMockServer({
      port: values.port === undefined ? 0 : Number(values.port),
      host: values.host ?? BIND_ADDRESS,
      apiKey: values['api-key'] ?? DEFAULT_API_KEY,
      log: Boolean(values.verbose),
      staticDir: values.static ?? null,
      pkgDir: values.pkg ?? null,
      rateLimitPerSecond: values['rate-limit'] === undefined ? null : Number(values['rate-limit']),
    });
  } catch (err) {
    process.stderr.write(`mock server: ${err.message}\n`);
    process.exit(2);
  }
  process.stdout.write(`MOCK_URL=${mock.url}\n`);

  const stop = async () => {
    setTimeout(() => process.exit(0), 2000).unref(); // never linger on shutdown
    await mock.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const invokedDirectly = process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) await main(process.argv.slice(2));
