// Type declarations of the entry `resources-client/file-storage` (Node.js, Deno, Bun).
import type { StorageLike } from './index.js';

/**
 * The user's cache directory for this package: `$XDG_CACHE_HOME/resources-client`,
 * else `%LOCALAPPDATA%\resources-client\Cache` on Windows, else `~/.cache/resources-client`.
 */
export function defaultCacheDir(env?: Record<string, string | undefined>, platform?: string): string;

/**
 * A `StorageLike` with one file per stored key in `dir` (default `defaultCacheDir()`):
 * written atomically (a temporary file renamed over the record's), mode 0600 in a 0700
 * directory; processes writing different records never undo each other's writes.
 */
export class FileStorage implements StorageLike {
  constructor(dir?: string);
  readonly dir: string;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}
