// Every rejection of the client is a ResourcesError with a `code`; this turns
// the code into plain words and a next step for the person looking at the page.

const PLAIN = {
  UNAUTHORIZED_ERROR: [
    'The server refused the API key',
    'Check the API key under Connection and press Apply. The bundled mock API accepts sk-mock-demo; a real server needs your own key.',
  ],
  PAYMENT_REQUIRED_ERROR: ['The plan behind this API key has lapsed', 'Renew the plan, or use another key.'],
  NOT_FOUND_ERROR: [
    'There is no catalog at this address',
    'Check the base URL: it is the API root (for example https://api.betterprompt.me), without /v1/resources.',
  ],
  GONE_ERROR: ['The server says this endpoint is gone', 'The API may have moved; check the base URL.'],
  BAD_REQUEST_ERROR: ['The server rejected the request', 'Check the base URL and the settings.'],
  VALIDATION_ERROR: ['The server rejected the request as invalid', 'Check the values you sent.'],
  TOO_MANY_REQUESTS_ERROR: [
    'Too many requests: the server is rate limiting this key',
    'Wait a moment and press Refresh. The client already waited as long as the server asked (Retry-After) before it gave up.',
  ],
  SERVER_ERROR: ['The server failed to answer', 'Try again in a moment; the client already retried.'],
  GATEWAY_TIMEOUT_ERROR: ['A gateway in front of the server timed out', 'Try again in a moment; the client already retried.'],
  NETWORK_ERROR: [
    'The server could not be reached',
    "Check the base URL, that the server is running, and that it allows requests from this page's origin (CORS).",
  ],
  TIMEOUT: ['The server took too long to answer', 'Try again; a slow network or server may be to blame.'],
  ABORTED: ['The request was cancelled', 'Press Refresh to try again.'],
  INVALID_RESPONSE: [
    "The server's answer is not a valid catalog",
    'Is the base URL an API server? A web page or proxy in between gives answers like this.',
  ],
  HTTP_ERROR: [
    'The server answered with an error that is not an API envelope',
    'A proxy or a wrong base URL may be in between.',
  ],
  RESPONSE_TOO_LARGE: ['The answer was larger than the client accepts', 'Raise maxBytes, or check the base URL.'],
  INVALID_OPTIONS: ['The settings are not valid', 'Check the base URL (http:// or https://) and the API key.'],
};

/**
 * Plain-words view of an error: `{title, code, status, detail, fix}`.
 * Unknown codes (a newer server) still get a readable title.
 */
export function explainError(error) {
  const code = error?.code ?? 'UNKNOWN';
  const [title, fix] = PLAIN[code] ?? ['The request failed', 'Press Refresh to try again.'];
  const parts = [];
  if (error?.status) parts.push(`HTTP ${error.status}`);
  parts.push(code);
  if (error?.path) parts.push(`at ${error.path}`);
  if (error?.retryAfterMs !== undefined) parts.push(`retry after ${Math.ceil(error.retryAfterMs / 1000)} s`);
  // The client's message starts with "CODE (HTTP n): ", which the detail line already shows.
  const message = String(error?.message ?? error).replace(/^[A-Z_]+ \(HTTP \d+\): /, '');
  return { title, code, status: error?.status ?? 0, detail: parts.join(' · '), message, fix };
}
