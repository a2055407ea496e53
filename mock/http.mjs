// The mock's HTTP plumbing, shared by every part: error envelopes, request
// bodies, the headers every API answer carries (invalidation included), and
// writing a response that is still a plain object until then.

const MAX_BODY_BYTES = 1024 * 1024;
export const JSON_TYPE = 'application/json; charset=utf-8';

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

// ---------------------------------------------------------------------------
// Envelopes

/** The server's error code for an HTTP status (as the real API documents them). */
export function errorCodeFor(status) {
  return ERROR_CODES[status] ?? (status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST_ERROR');
}

/** A response object for an error envelope: `{status, message, data}`. */
export function errorResponse(status, message = DEFAULT_MESSAGES[status] ?? 'Request failed.', data = null) {
  return jsonResponse(status, { status: errorCodeFor(status), message, data });
}

export function successResponse(data) {
  return jsonResponse(200, { status: 'SUCCESS', data });
}

// Responses are plain objects until they are written, so faults can rewrite them.
export function jsonResponse(status, value) {
  return { status, type: JSON_TYPE, headers: {}, body: JSON.stringify(value) };
}

// ---------------------------------------------------------------------------
// Small helpers

export const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
export const isApiPath = (p) => p === '/v1' || p.startsWith('/v1/');
export const isControlPath = (p) => p === '/__control' || p.startsWith('/__control/');

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
export function hasValidKey(authorization, apiKey) {
  const match = /^Bearer[ \t]+(.+)$/i.exec(authorization ?? '');
  return match !== null && match[1].trim() === apiKey;
}

/**
 * Reads a request body as text. Past MAX_BODY_BYTES the rest is drained and
 * dropped (so a 413 can still be answered) and the promise rejects with `tooLarge`.
 */
export function readBody(req, limit = MAX_BODY_BYTES) {
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
export function sleep(ctx, ms) {
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

/** A control request that makes no sense: answered with 400 `BAD_REQUEST_ERROR`. */
export class ControlError extends Error {}

// ---------------------------------------------------------------------------
// Writing responses

/**
 * Final headers for an API response, and the log entry update. This is where
 * cache invalidation happens: a 2xx answer to a client holding an outdated
 * hash carries `action-require: update-resources`.
 */
export function headForApi(ctx, response, contentLength) {
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
export const canWrite = (ctx) => !ctx.closed && !ctx.res.headersSent && !ctx.res.destroyed;

export function send(ctx, response) {
  const { res } = ctx;
  if (!canWrite(ctx)) return;
  const body = Buffer.from(response.body ?? '');
  res.writeHead(response.status, headForApi(ctx, response, body.length));
  res.end(body);
}
