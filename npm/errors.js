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

/**
 * Makes every method and getter of a client whose `free()` was called throw a
 * ResourcesError with code CLIENT_FREED (`fetchResources` returns a promise
 * rejected with it), where the wasm-bindgen glue would throw a bare
 * "null pointer passed to rust". The glue zeroes `__wbg_ptr` on `free()`.
 */
export function guardFreed(Client) {
  const proto = Client.prototype;
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor' || name === 'free' || name.startsWith('__')) continue;
    const d = Object.getOwnPropertyDescriptor(proto, name);
    const freed = () => freedError(name);
    if (typeof d.value === 'function') {
      const method = d.value;
      const rejects = name === 'fetchResources';
      d.value = {
        [name](arg) {
          if (this.__wbg_ptr === 0) {
            if (rejects) return Promise.reject(freed());
            throw freed();
          }
          return method.call(this, arg);
        },
      }[name];
    } else if (d.get) {
      const get = d.get;
      d.get = function () {
        if (this.__wbg_ptr === 0) throw freed();
        return get.call(this);
      };
    } else continue;
    Object.defineProperty(proto, name, d);
  }
}
