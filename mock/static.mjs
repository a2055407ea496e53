// Static files for demo pages (`--static DIR`), and `/pkg/...` from a second
// directory (`--pkg DIR`). No URL path can leave these directories.
import fs from 'node:fs';
import path from 'node:path';
import { JSON_TYPE } from './http.mjs';

const STATIC_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': JSON_TYPE,
  '.map': JSON_TYPE,
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
};

/** Static files for demo pages; `/pkg/` may come from a second directory (wasm-pack output). */
export async function handleStatic(ctx, { staticDir, pkgDir }) {
  const { req, res } = ctx;
  const plain = (status, text, headers = {}) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    res.end(text);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(405, 'Method not allowed\n', { Allow: 'GET, HEAD' });

  let relative;
  try {
    relative = decodeURIComponent(ctx.path);
  } catch {
    return plain(400, 'Bad path\n');
  }
  if (relative.includes('\0')) return plain(400, 'Bad path\n');

  let root = staticDir;
  if (pkgDir && (relative === '/pkg' || relative.startsWith('/pkg/'))) {
    root = pkgDir;
    relative = relative.slice('/pkg'.length) || '/';
  }
  let file = path.resolve(root, `.${relative}`);
  // Decoding may have produced "../" (e.g. from "..%2f"); never leave the root.
  if (file !== root && !file.startsWith(root + path.sep)) return plain(404, 'Not found\n');

  let stat = await fs.promises.stat(file).catch(() => null);
  if (stat?.isDirectory()) {
    // Relative links in index.html only resolve against a URL ending in "/".
    if (!ctx.path.endsWith('/')) return plain(301, 'Moved\n', { Location: `${ctx.path}/${ctx.search}` });
    file = path.join(file, 'index.html');
    stat = await fs.promises.stat(file).catch(() => null);
  }
  if (!stat?.isFile()) return plain(404, 'Not found\n');

  res.writeHead(200, {
    'Content-Type': STATIC_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(stat.size),
    'Cache-Control': 'no-store', // a rebuilt wasm must show up on reload
    // Not even a <script> or <img> of another site may load it (demo-config.js may hold a key).
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  if (req.method === 'HEAD') return res.end();
  fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
}
