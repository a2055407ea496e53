'use strict';
// A StorageLike over files, for Node.js, Deno and Bun (the command-line tool
// uses it): the client keeps its stored records (hash and catalog, never the
// key) there between process starts. `resources-client/file-storage`.
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * The user's cache directory for this package: `$XDG_CACHE_HOME/resources-client`,
 * else `%LOCALAPPDATA%\resources-client\Cache` on Windows, else `~/.cache/resources-client`.
 * @param {NodeJS.ProcessEnv} [env]
 * @param {NodeJS.Platform} [platform]
 */
function defaultCacheDir(env = process.env, platform = process.platform) {
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) {
    return path.join(env.XDG_CACHE_HOME, 'resources-client');
  }
  if (platform === 'win32') {
    const base = env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local');
    return path.join(base, 'resources-client', 'Cache');
  }
  return path.join(os.homedir(), '.cache', 'resources-client');
}

/**
 * A StorageLike with one file per stored key in `dir` (default:
 * `defaultCacheDir()`), so that processes writing different records never
 * undo each other's writes: there is no shared file to read, change and write
 * back. A write goes to a temporary file that is then renamed over the
 * record's file, so a reader (another process too) sees the old record or the
 * new one, whole, never a mix; of two processes writing the same record at
 * once, the last rename wins, whole. The directory is made with mode 0700 and
 * tightened to it when another user or group could write there; files are
 * 0600. A file that is damaged, or holds another key, reads as absent. Errors
 * are thrown, which the client turns into a fallback to memory with a warning.
 */
class FileStorage {
  /** @param {string} [dir] */
  constructor(dir = defaultCacheDir()) {
    if (typeof dir !== 'string' || dir === '') throw new TypeError('FileStorage: dir must be a directory path');
    this.dir = path.resolve(dir);
    this.checked = false;
  }

  /** The file of `key`: a digest of the key, so that any key makes a safe file name. */
  fileOf(key) {
    const digest = crypto.createHash('sha256').update(String(key)).digest('hex').slice(0, 40);
    return path.join(this.dir, `${digest}.record.json`);
  }

  /** Makes the directory (0700), or tightens one that others could write to. */
  ensureDir() {
    if (this.checked) return;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const stat = fs.statSync(this.dir);
    if (!stat.isDirectory()) throw new Error(`FileStorage: ${this.dir} is not a directory`);
    if (process.platform !== 'win32' && (stat.mode & 0o022) !== 0) {
      // A directory others may write to lets them replace a record: tighten it, or refuse.
      try {
        fs.chmodSync(this.dir, 0o700);
      } catch (e) {
        throw new Error(`FileStorage: ${this.dir} is writable by other users and could not be made private (${e.code ?? e.message})`);
      }
    }
    this.checked = true;
  }

  /** @param {string} key @returns {string | null} */
  getItem(key) {
    let text;
    try {
      text = fs.readFileSync(this.fileOf(key), 'utf8');
    } catch (e) {
      if (e && e.code === 'ENOENT') return null;
      throw e;
    }
    try {
      const record = JSON.parse(text);
      return record && record.key === String(key) && typeof record.value === 'string' ? record.value : null;
    } catch {
      return null; // damaged: the next write replaces it
    }
  }

  /** @param {string} key @param {string} value */
  setItem(key, value) {
    this.ensureDir();
    const file = this.fileOf(key);
    const temp = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
    try {
      fs.writeFileSync(temp, JSON.stringify({ key: String(key), value: String(value) }), { mode: 0o600, flag: 'wx' });
      fs.renameSync(temp, file);
    } catch (e) {
      try { fs.unlinkSync(temp); } catch { /* already gone */ }
      throw e;
    }
  }

  /** @param {string} key */
  removeItem(key) {
    try {
      fs.unlinkSync(this.fileOf(key));
    } catch (e) {
      if (!e || e.code !== 'ENOENT') throw e;
    }
  }
}

module.exports = { FileStorage, defaultCacheDir };
