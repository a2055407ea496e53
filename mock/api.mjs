// The API itself: GET /v1/resources, GET /v1/me and POST /v1/runs behind a
// bearer key, with the rate limit and any queued fault applied first.
import { applyFault } from './faults.mjs';
import { errorResponse, hasValidKey, isApiPath, isPlainObject, readBody, send, successResponse } from './http.mjs';

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

/** An API request: read the body, then rate limit, fault or the normal answer. */
export async function handleApi(ctx) {
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
  if (fault) return applyFault(ctx, fault, () => normalApiResponse(ctx));
  return send(ctx, normalApiResponse(ctx));
}

