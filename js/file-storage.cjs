'use strict';
// A StorageLike over one JSON file, for the command-line tool: the client keeps
// its stored record (hash and catalog, never the key) there between runs.
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

/** How long a writer waits for another process's lock before it gives up. */
const LOCK_WAIT_MS = 5000;
/** A lock file older than this is left over by a process that died: it is removed. */
const LOCK_STALE_MS = 10000;

/** Blocks this thread for `ms` (the StorageLike interface is synchronous). */
function pause(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * A StorageLike whose entries live in `<dir>/<fileName>` as one JSON object.
 * The directory is created with mode 0700 and the file with 0600; every write
 * goes to a temporary file in the same directory that is then renamed over the
 * old one, so a reader never sees half a file. Writers take turns through a
 * lock file (`<fileName>.lock`, created exclusively) and apply their change to
 * the file as it is then, so concurrent processes never lose each other's
 * entries. A directory (or file) that other users may write to is made
 * private when it is this user's, and refused otherwise: whoever can write
 * there could plant a catalog. Errors are thrown, which the client turns into
 * a fallback to memory with a warning.
 */
class FileStorage {
  /**
   * @param {string} dir
   * @param {string} [fileName]
   */
  constructor(dir, fileName = 'store.json') {
    this.dir = dir;
    this.file = path.join(dir, fileName);
    this.lockFile = `${this.file}.lock`;
    this.checked = false;
  }

  /**
   * Refuses or tightens a directory and file that others may write to (once
   * per instance). Nothing to do on Windows, whose permissions are not mode bits.
   */
  secure() {
    if (this.checked || process.platform === 'win32') return;
    for (const [target, mode] of [[this.dir, 0o700], [this.file, 0o600]]) {
      let stat;
      try {
        stat = fs.lstatSync(target);
      } catch (e) {
        if (e && e.code === 'ENOENT') continue;
        throw e;
      }
      if (stat.isSymbolicLink()) throw new Error(`${target} is a symbolic link; the cache must be a real directory and file`);
      if ((stat.mode & 0o022) === 0) continue;
      const mine = typeof process.getuid !== 'function' || stat.uid === process.getuid();
      if (!mine) throw new Error(`${target} may be written by other users and is not yours; refusing to use it`);
      fs.chmodSync(target, mode);
    }
    this.checked = true;
  }

  /** Runs `change` while holding the lock file; waits for another writer's turn to end. */
  locked(change) {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.secure();
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        fs.closeSync(fs.openSync(this.lockFile, 'wx', 0o600));
        break;
      } catch (e) {
        if (!e || e.code !== 'EEXIST') throw e;
        let age = 0;
        try { age = Date.now() - fs.statSync(this.lockFile).mtimeMs; } catch { continue; }
        if (age > LOCK_STALE_MS) {
          try { fs.unlinkSync(this.lockFile); } catch { /* another process took it */ }
          continue;
        }
        if (Date.now() > deadline) throw new Error(`${this.lockFile} is held by another process`);
        pause(5 + Math.floor(Math.random() * 10));
      }
    }
    try {
      change();
    } finally {
      try { fs.unlinkSync(this.lockFile); } catch { /* already gone */ }
    }
  }

  /** @returns {Record<string, string>} */
  readAll() {
    this.secure();
    let text;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if (e && e.code === 'ENOENT') return {};
      throw e;
    }
    try {
      const data = JSON.parse(text);
      // A damaged or foreign file is treated as empty; the next write replaces it.
      return data && typeof data === 'object' && !Array.isArray(data) ? data : {};
    } catch {
      return {};
    }
  }

  /** @param {Record<string, string>} data */
  writeAll(data) {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temp = path.join(this.dir, `.${path.basename(this.file)}.${process.pid}.${Date.now()}.tmp`);
    try {
      fs.writeFileSync(temp, JSON.stringify(data), { mode: 0o600, flag: 'wx' });
      fs.renameSync(temp, this.file);
    } catch (e) {
      try { fs.unlinkSync(temp); } catch { /* already gone */ }
      throw e;
    }
  }

  /** @param {string} key */
  getItem(key) {
    const data = this.readAll();
    return Object.prototype.hasOwnProperty.call(data, key) && typeof data[key] === 'string' ? data[key] : null;
  }

  /** @param {string} key @param {string} value */
  setItem(key, value) {
    this.locked(() => {
      const data = this.readAll();
      data[key] = String(value);
      this.writeAll(data);
    });
  }

  /** @param {string} key */
  removeItem(key) {
    this.locked(() => {
      const data = this.readAll();
      if (!Object.prototype.hasOwnProperty.call(data, key)) return;
      delete data[key];
      this.writeAll(data);
    });
  }
}

module.exports = { FileStorage, defaultCacheDir };
