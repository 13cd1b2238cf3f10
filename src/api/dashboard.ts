/**
 * Static serving of the built live dashboard (dashboards/live → dist/dashboards/live) at `/`.
 * A flat folder: only `/` and `/<name>.<known extension>` are served (no slashes, no dot files), so a
 * request cannot leave the folder. Files are revalidated by ETag (names are not content-hashed).
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { placeholderPage } from './placeholder.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
const NAME = /^\/([A-Za-z0-9_-][A-Za-z0-9._-]*)(\.[a-z]+)$/;

/**
 * The built dashboard's folder: dist/dashboards/live, found from this module whether it runs
 * compiled (dist/src/api) or from source (src/api, via tsx). Undefined when it is not built.
 */
export function dashboardDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [join(here, '..', '..', 'dashboards', 'live'), join(here, '..', '..', 'dist', 'dashboards', 'live')]) {
    if (existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'app.mjs'))) return dir;
  }
  return undefined;
}

/**
 * Serves `/`, `/index.html` and the dashboard's assets. Returns false when the path is not one of
 * them (the caller answers 404). `setCookieToken`: the ?token= the page was opened with, passed on as
 * the `edgetail_token` cookie so the page's own assets authenticate too.
 */
export async function serveDashboard(req: IncomingMessage, res: ServerResponse, path: string, dir: string | undefined, setCookieToken?: string): Promise<boolean> {
  const isIndex = path === '/' || path === '/index.html';
  if (!dir) {
    if (!isIndex) return false;
    res.writeHead(200, { 'content-type': TYPES['.html']!, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : placeholderPage());
    return true;
  }
  const m = isIndex ? ['/index.html', 'index', '.html'] : NAME.exec(path);
  if (!m) return false;
  const type = TYPES[m[2]!];
  if (!type) return false;
  const file = join(dir, m[1]! + m[2]!);
  let st;
  try {
    st = await stat(file);
  } catch {
    return false;
  }
  if (!st.isFile()) return false;
  const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  const headers: Record<string, string> = { 'content-type': type, 'cache-control': 'no-cache', etag, 'x-content-type-options': 'nosniff' };
  if (isIndex && setCookieToken) headers['set-cookie'] = `edgetail_token=${encodeURIComponent(setCookieToken)}; Path=/; HttpOnly; SameSite=Strict`;
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return true;
  }
  const body = await readFile(file);
  res.writeHead(200, { ...headers, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
