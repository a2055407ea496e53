// Type declarations of the entry `resources-client/init`: the default entry's
// names, plus the explicit start for runtimes that cannot load the .wasm by
// themselves (see the README's "Runtimes").
export * from './index.js';

/** What `init` loads the WebAssembly module from. */
export type InitInput =
  | string
  | URL
  | Request
  | Response
  | PromiseLike<Response>
  | BufferSource
  | WebAssembly.Module;

/**
 * Loads and instantiates the WebAssembly module; without `input`, from the
 * `.wasm` next to the package's files. Resolves once the package is usable;
 * later calls resolve at once. Rejects with `ResourcesError` (`INVALID_OPTIONS`
 * for an input of another kind, `INIT_FAILED` when loading or compiling fails).
 * In Node.js, Deno and Bun the module is loaded at import and `init` only checks `input`.
 */
export function init(input?: InitInput): Promise<void>;

/**
 * Instantiates the module synchronously (a Worker's imported `.wasm`, or bytes
 * off the browser's main thread). Throws `ResourcesError` as `init` rejects.
 */
export function initSync(options: { module: BufferSource | WebAssembly.Module }): void;

/**
 * Codes of the init entry: `NOT_INITIALIZED` for a call before `init` or
 * `initSync` finished, `INIT_FAILED` when the module could not be loaded.
 */
export type InitErrorCode = 'NOT_INITIALIZED' | 'INIT_FAILED';
