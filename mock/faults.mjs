// Fault injection: what a queued fault may say (checked when it is queued) and
// the answer it gives instead of the normal one: an error status, a raw body,
// an HTML proxy page, a delay, a cut connection, a dripping body or no answer.
import { ControlError, JSON_TYPE, canWrite, errorResponse, headForApi, isPlainObject, send, sleep } from './http.mjs';

const FAULT_KINDS = new Set(['html', 'empty', 'malformed', 'reset', 'drip', 'hang']);
const FAULT_FIELDS = new Set([
  'path', 'status', 'body', 'bodyBase64', 'contentType', 'headers', 'retryAfter',
  'delayMs', 'kind', 'dripMs', 'times',
]);
const HTML_502 = '<html><body><h1>502 Bad Gateway</h1></body></html>';
const MALFORMED_BODY = '{"status":"SUCCESS","data":{"hash":';
const DEFAULT_FAULT_PATH = '/v1/resources';
const DEFAULT_DRIP_MS = 200;

/** Validates a fault from the control API and fills in defaults. */
export function normalizeFault(fault, i) {
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
// Faults

/** The response a fault asks for, built on top of the normal one where the fault says so. */
function faultResponse(normal, fault) {
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
        response = normal();
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

/** Answers `ctx` as `fault` says; `normal()` builds the answer without a fault. */
export async function applyFault(ctx, fault, normal) {
  if (fault.delayMs) {
    await sleep(ctx, fault.delayMs);
    if (ctx.closed) return; // client or server went away meanwhile
  }
  // A hang is bounded: the socket goes when the client disconnects or the server closes.
  if (fault.kind === 'hang') return;
  const response = faultResponse(normal, fault);
  if (fault.kind === 'reset') return sendThenReset(ctx, response);
  if (fault.kind === 'drip') return sendDripping(ctx, response, fault.dripMs ?? DEFAULT_DRIP_MS);
  return send(ctx, response);
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

