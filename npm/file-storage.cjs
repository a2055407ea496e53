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

/**
 * A StorageLike whose entries live in `<dir>/<fileName>` as one JSON object.
 * The directory is created with mode 0700 and the file with 0600; every write
 * goes to a temporary file in the same directory that is then renamed over the
 * old one, so a reader never sees half a file. Errors are thrown, which the
 * client turns into a fallback to memory with a warning.
 */
class FileStorage {
  /**
   * @param {string} dir
   * @param {string} [fileName]
   */
  constructor(dir, fileName = 'store.json') {
    this.dir = dir;
    this.file = path.join(dir, fileName);
  }

  /** @returns {Record<string, string>} */
  readAll() {
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
    const data = this.readAll();
    data[key] = String(value);
    this.writeAll(data);
  }

  /** @param {string} key */
  removeItem(key) {
    const data = this.readAll();
    if (!Object.prototype.hasOwnProperty.call(data, key)) return;
    delete data[key];
    this.writeAll(data);
  }
}

module.exports = { FileStorage, defaultCacheDir };
