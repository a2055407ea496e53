/**
 * Every rejection of resources-client is a ResourcesError: a real Error subclass
 * carrying a machine-readable `code`, the HTTP `status` (0 when there was no
 * response), the first failing JSON `path` of an invalid body, whether trying
 * again may help (`retryable`) and the delay the server asked for (`retryAfterMs`).
 */
export class ResourcesError extends Error {
  /**
   * @param {string} message
   * @param {{code?: string, status?: number, path?: string, retryable?: boolean, retryAfterMs?: number, cause?: unknown}} [details]
   */
  constructor(message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ResourcesError';
    this.code = details.code ?? 'HTTP_ERROR';
    this.status = details.status ?? 0;
    if (details.path !== undefined) this.path = details.path;
    this.retryable = details.retryable === true;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/** The error of a call on a client whose `free()` was called. */
export function freedError(name) {
  return new ResourcesError(`ResourcesClient.${name}: the client was freed (free() was called); make a new one`, { code: 'CLIENT_FREED' });
}
