// Type declarations of resources-client: the same names in browsers, bundlers
// and Node.js (ESM and CommonJS). Checked by tests/package/types/ (a consumer
// that uses every export and must compile, misuses that must not) and by
// tests/package/exports.test.mjs (every runtime export of every entry is
// declared here with the same kind, and nothing more).
// Optional fields also accept `undefined`, so `{ apiKey: process.env.KEY }`
// compiles under `exactOptionalPropertyTypes`: the package treats an
// `undefined` option as one not given.

/** A model's modality. Unknown values from the server are kept, so the union stays open. */
export type Modality = 'text' | 'image' | 'video' | (string & {});

/** One run option a model accepts, with its allowed string values. */
export interface RunOption {
  key: string;
  options: string[];
}

/** One model of the catalog. */
export interface Model {
  model: string;
  modality: Modality;
  availableRunOptions: RunOption[];
}

/** The catalog: `models`, plus any other section the server sends, kept as is. */
export interface Resources {
  models: Model[];
  [section: string]: unknown;
}

/** What `fetchResources` resolves to and `cached()` returns. */
export interface ResourcesResult {
  hash: string;
  resources: Resources;
  source: 'network' | 'cache';
  /** The hash differs from the one stored before this call. */
  changed: boolean;
  previousHash: string | null;
  /** Milliseconds since the epoch, when the catalog came from the network. */
  fetchedAt: number;
  /** Served from cache although a refresh was due or failed. */
  stale: boolean;
  /** Additive surprises (unknown modality, duplicate model ids, ...) and why a cached catalog was served. */
  warnings: string[];
}

/** A value and everything in it read-only, as the store's snapshot gives it. */
export type DeepReadonly<T> = T extends string | number | boolean | bigint | symbol | null | undefined
  ? T
  : T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * What a screen needs, from `getSnapshot()`: frozen, and the same object until
 * one of its fields changes.
 */
export interface ResourcesSnapshot {
  /** The catalog as the last call or change gave it (`source` says where it came from), deeply frozen; `null` before any. */
  readonly data: DeepReadonly<ResourcesResult> | null;
  /** The last failure of any call of this client, foreground or background, until a later success. */
  readonly error: ResourcesError | null;
  /** A request for this client's catalog is on the network (not for a call answered from a fresh stored catalog). */
  readonly isFetching: boolean;
  /** No catalog and no error yet. */
  readonly isPending: boolean;
}

/** Options of `subscribe`. */
export interface SubscribeOptions {
  /** The first listener of a client starts `fetchResources()` (default true). */
  fetch?: boolean | undefined;
}

// `Symbol.dispose` (TypeScript's lib `esnext.disposable`) declared for older
// `lib` settings too, so that `[Symbol.dispose]` below compiles everywhere.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/** Anything with the three methods of `localStorage` (a file, a Map, a KV store...). */
/**
 * Where a client keeps its record. Synchronous like `localStorage`, or asynchronous: each method may
 * return a promise (IndexedDB, a file, Workers KV); the client then reads its record once at start
 * (`ready()`), holds it in memory and writes through.
 */
export interface StorageLike {
  getItem(k: string): string | null | Promise<string | null>;
  setItem(k: string, v: string): void | Promise<void>;
  removeItem(k: string): void | Promise<void>;
}

/** Extra request headers, in any form `fetch` takes. */
export type HeadersOption = Record<string, string> | Headers | [string, string][] | Map<string, string>;

/** Options of a client; every field is optional. */
export interface ClientOptions {
  /** Default `"https://api.betterprompt.me"`; outside browsers, `RESOURCES_BASE_URL` when set. */
  baseUrl?: string | undefined;
  /**
   * Never stored, never printed. Any run of 8 or more of its characters (plain,
   * URL-encoded, base64) is replaced by `[redacted]` in every message, warning and event.
   * Outside browsers an omitted key is `RESOURCES_API_KEY`; with none at all calls fail with
   * `MISSING_API_KEY`, unless `null` (no key on purpose: a proxy adds it).
   */
  apiKey?: string | null | undefined;
  /**
   * Extra request headers; `accept`, and `authorization` when `apiKey` is set, are the client's own.
   * Values of credential headers (`authorization`, `cookie`, names with `key`, `token`, `secret`, ...)
   * are redacted like `apiKey`.
   */
  headers?: HeadersOption | undefined;
  /**
   * Default: `globalThis.localStorage` when present and usable; in workers (no `localStorage`) IndexedDB;
   * else memory (the module's, shared by its clients, keeping the 16 most recently written records).
   * `'indexeddb'`: the database `resources-client`, asynchronous (see `ready()`).
   */
  storage?: 'local' | 'memory' | 'indexeddb' | StorageLike | undefined;
  /** Prefix of the stored entry; entries are also scoped by `baseUrl`. Default `"resources-client"`. */
  storageKey?: string | undefined;
  /** Per attempt, reading the body included; 0 turns the limit off. Default 30000. */
  timeoutMs?: number | undefined;
  /** Network errors, timeouts, 429 (honouring Retry-After) and 5xx; never other 4xx. Default 2, at most 10. */
  retries?: number | undefined;
  /** Larger bodies fail with `RESPONSE_TOO_LARGE`; larger stored or synced records are ignored. Default 32 MiB. */
  maxBytes?: number | undefined;
  /** 0 (default): always revalidate over the network. */
  maxAgeMs?: number | undefined;
  /** Warnings become `INVALID_RESPONSE` errors; stored or synced records with warnings are ignored. */
  strict?: boolean | undefined;
  /**
   * An injected fetch (tests, proxies, Node agents), called with a `Request`. Each function object is a
   * scope of its own: clients with different `fetch` functions share no record or request unless they give
   * the same `scope`.
   */
  fetch?: typeof fetch | undefined;
  /**
   * Whose catalog this is, in the caller's words (no control characters): replaces the identity of `fetch`
   * in the record's scope, so clients with the same credentials and `scope` share records and requests.
   */
  scope?: string | undefined;
  /** Told of each HTTP attempt of the requests that serve this client (logging, metrics). */
  onAttempt?: ((event: AttemptEvent) => void) | undefined;
  /** In a browser an `apiKey` is refused unless this is `true` (the key is visible to anyone who can open the page). */
  dangerouslyAllowBrowser?: boolean | undefined;
  /**
   * Follow a redirect to another origin instead of failing with `CROSS_ORIGIN_REDIRECT`. Outside browsers
   * no credential header (`authorization`, `cookie`, `x-api-key`, ...) goes to the other origin. Default `false`.
   */
  allowCrossOriginRedirects?: boolean | undefined;
}

/** What one HTTP attempt came to (the `onAttempt` hook). Never holds the API key or a credential header: `error` is redacted. */
export interface AttemptEvent {
  /** 1 for the first attempt of a request, 2 for the first retry, and so on. */
  attempt: number;
  /** The URL requested (`baseUrl` carries no credentials). */
  url: string;
  /** HTTP status of the response; 0 when none came (network error, timeout, abort). */
  status: number;
  /** Why the attempt failed; absent after a success. */
  error?: ResourcesError;
  /** Present when another attempt follows: the wait before it, in ms. */
  retryInMs?: number;
}

/** Options of one `fetchResources` call. */
export interface FetchOptions {
  /** Go to the network even when the stored catalog is fresh. */
  refresh?: boolean | undefined;
  /** Cancels this caller only; a shared request goes on for the others. */
  signal?: AbortSignal | undefined;
}

/** What `observe()` reads: a fetch `Response`, or anything with `status` and `headers.get`. */
export interface ResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
}

/** A catalog client bound to one API base and one storage slot. */
export class ResourcesClient {
  /** Throws `ResourcesError` (`INVALID_OPTIONS`) on a bad option. */
  constructor(options?: ClientOptions);
  fetchResources(opts?: FetchOptions): Promise<ResourcesResult>;
  /** The stored catalog, validated, without a request; `null` before `ready()` with an asynchronous store. */
  cached(): ResourcesResult | null;
  /**
   * Resolves once the stored record has been read: at once with a synchronous store, after its first
   * read with an asynchronous one (IndexedDB, a file, Workers KV). `fetchResources()` waits for it by itself.
   */
  ready(): Promise<void>;
  readonly hash: string | null;
  /** An `action-require` was seen and not yet acted on. */
  readonly stale: boolean;
  /** `{"cli-agent": "resources_hash=<hash>"}` once a hash is known, else `{}`. */
  agentHeaders(): Record<string, string>;
  /** Reads `action-require` of a 2xx API response; true if it asked for a refresh. */
  observe(response: ResponseLike): boolean;
  /** Fires when the stored hash changes (the first hash too); returns an unsubscribe function. */
  onChange(cb: (r: ResourcesResult) => void): () => void;
  /** Removes the stored record. */
  clear(): void;
  /** Releases the client's wasm memory; the client must not be used afterwards. */
  free(): void;
  /** The same as `free()`, for `using client = new ResourcesClient()`. */
  [Symbol.dispose](): void;
  // --- API-key scoping, sync, store interface, background failures ---
  /**
   * The record's storage key: `<storageKey>:<scope>:<baseUrl>`, scope `key-<32 hex of a salted SHA-256 of the
   * credentials>` or `nokey`. Empty until `ready()` when an asynchronous store keeps the salt.
   */
  readonly storageKey: string;
  /** Hears each failed background refresh (started by `observe`); returns an unsubscribe function. */
  onError(cb: (error: ResourcesError) => void): () => void;
  /**
   * Calls `listener()` whenever `getSnapshot()` changes: the catalog (from any client, realm or tab),
   * an error, a request starting or ending. The first listener starts `fetchResources()` unless
   * `{ fetch: false }`. Returns an unsubscribe function.
   */
  subscribe(listener: () => void, options?: SubscribeOptions): () => void;
  /** `{ data, error, isFetching, isPending }`, frozen: the same object until one of them changes (`useSyncExternalStore`). */
  getSnapshot(): ResourcesSnapshot;
}

/** One-shot form: creates a client from `options` and fetches. */
export function fetchResources(options?: ClientOptions & FetchOptions): Promise<ResourcesResult>;

/** The codes a `ResourcesError` may carry besides the server's own status codes. */
export type ClientErrorCode =
  | 'HTTP_ERROR'
  | 'INVALID_RESPONSE'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'RESPONSE_TOO_LARGE'
  | 'INVALID_OPTIONS'
  | 'CLIENT_FREED'
  | 'MISSING_API_KEY'
  | 'INIT_FAILED'
  | 'NOT_INITIALIZED'
  /** The WebAssembly module trapped (memory ran out, or a bug): it starts afresh on the next call; retryable. */
  | 'INTERNAL_ERROR'
  /** A redirect loop, or more than 20 redirects: never retried. */
  | 'TOO_MANY_REDIRECTS'
  /** A redirect to another origin, refused (see `allowCrossOriginRedirects`): never retried. */
  | 'CROSS_ORIGIN_REDIRECT';

/** The server's documented error codes. */
export type ServerErrorCode =
  | 'BAD_REQUEST_ERROR'
  | 'UNAUTHORIZED_ERROR'
  | 'PAYMENT_REQUIRED_ERROR'
  | 'NOT_FOUND_ERROR'
  | 'GONE_ERROR'
  | 'VALIDATION_ERROR'
  | 'TOO_MANY_REQUESTS_ERROR'
  | 'SERVER_ERROR'
  | 'GATEWAY_TIMEOUT_ERROR';

/** Every code the package knows: the server's documented ones and its own. */
export type KnownErrorCode = ServerErrorCode | ClientErrorCode;

/** The second argument of the `ResourcesError` constructor. */
export interface ResourcesErrorDetails {
  code?: string | undefined;
  status?: number | undefined;
  path?: string | undefined;
  retryable?: boolean | undefined;
  retryAfterMs?: number | undefined;
  /** Passed to `Error` as `{ cause }`. */
  cause?: unknown;
}

/** Every rejection of the package is one of these. */
export class ResourcesError extends Error {
  constructor(message: string, details?: ResourcesErrorDetails);
  readonly name: 'ResourcesError';
  /** The server's status code when the body had one, else one of the client codes. Open: servers add codes. */
  code: KnownErrorCode | (string & {});
  /** HTTP status, 0 when there was no response. */
  status: number;
  /** `INVALID_RESPONSE`: the first failing JSON path, e.g. `data.resources.models[2].modality`. */
  path?: string;
  retryable: boolean;
  retryAfterMs?: number;
  /** `NETWORK_ERROR`: an `Error` with the platform's message (credentials redacted); `ABORTED`: the signal's reason. */
  cause?: unknown;
}

// ---- Catalog helpers -------------------------------------------------------

/** Why `validateRunOptions` refused something (see the README's "Catalog helpers"). */
export type RunOptionErrorCode =
  | "UNKNOWN_MODEL" | "UNKNOWN_KEY" | "INVALID_VALUE" | "NOT_A_STRING" | "DUPLICATE_KEY" | "INVALID_INPUT";

/** One problem found by `validateRunOptions`. */
export interface RunOptionError {
  /** The run option key; `null` for the model id or the arguments themselves. */
  key: string | null;
  /** The value exactly as given (the model id for `UNKNOWN_MODEL`, the argument for `INVALID_INPUT`). */
  value: unknown;
  code: RunOptionErrorCode;
  message: string;
  /** The values the model accepts for `key`. */
  allowed?: string[];
  /** The nearest known model id, key, or the string form of a value. */
  suggestion?: string;
}

/** The outcome of `validateRunOptions`. */
export interface RunOptionsValidation {
  ok: boolean;
  errors: RunOptionError[];
}

/** What changed between two catalogs, in a stable order. */
export interface ResourcesDiff {
  added: string[];
  removed: string[];
  changed: {
    model: string;
    /** `[old, new]` when the modality changed. */
    modality?: [string, string];
    options: {
      added: string[];
      removed: string[];
      changed: { key: string; added: string[]; removed: string[] }[];
    };
  }[];
  /** Only when an argument was not a catalog; the lists are then empty. */
  error?: { code: "INVALID_INPUT"; message: string };
}

/**
 * Checks run options against what `model` accepts, before a paid run. Never throws.
 * `runOptions` is a plain object (an interface-typed one too); anything else is `INVALID_INPUT`.
 */
export function validateRunOptions(resources: Resources, model: string, runOptions?: object | null): RunOptionsValidation;
/** The model with this id (the same object, not a copy), or `undefined`. */
export function findModel(resources: Resources, id: string): Model | undefined;
/** The models of one modality. */
export function modelsByModality(resources: Resources, modality: Modality): Model[];
/** Every run-option key with the models that accept it. */
export function runOptionKeys(resources: Resources): { key: string; models: string[] }[];
/** What changed from `before` (none yet: everything is added) to `after`. */
export function diffResources(before: Resources | null | undefined, after: Resources): ResourcesDiff;

// ---- Validating a body fetched elsewhere -----------------------------------

/** The body of a 2xx `GET /v1/resources` response: text or UTF-8 bytes (a BOM is allowed). */
export type ResourcesBody = string | Uint8Array | ArrayBuffer;

/** Options of `parseResources`. */
export interface ParseOptions {
  /** Warnings become `INVALID_RESPONSE` errors. Default `false`. */
  strict?: boolean | undefined;
  /** A larger body (in UTF-8 bytes) fails with `RESPONSE_TOO_LARGE` before it is read. Default 32 MiB. */
  maxBytes?: number | undefined;
}

/** What `parseResources` returns. */
export interface ParsedResources {
  hash: string;
  resources: Resources;
  /** As in `ResourcesResult.warnings`. */
  warnings: string[];
}

/**
 * Validates a body the application fetched itself, by the client's rules. Stores
 * nothing. Throws `ResourcesError`: `INVALID_RESPONSE` (with `path`), the
 * server's code for an error envelope, or `INVALID_OPTIONS`; `status` is 200.
 */
export function parseResources(body: ResourcesBody, options?: ParseOptions): ParsedResources;
