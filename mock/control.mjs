// The control API under /__control/ (no auth, JSON in and out, never logged):
// switch catalogs, queue faults, set a rate limit, read and clear the log.
import { ControlError, errorResponse, isPlainObject, jsonResponse, readBody, send } from './http.mjs';

// Control requests may carry large test bodies (a 10 MB catalog, megabytes of headers).
const CONTROL_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Control API: JSON in and out, no auth, never logged. */
export async function handleControl(ctx) {
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

