/**
 * Origin policy of the API listener (`api.allowed_origins`). Strict by default: a browser page may use
 * the API (and /live) only from the origin it was served by; no CORS headers are sent at all unless an
 * origin is listed. `'*'` allows any origin (only sensible with api.auth_token: the token, not the
 * origin, is then the protection).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * True when a request's Origin may use this listener: no Origin (not a browser, or same-origin GET),
 * the page's own origin (same host), or a listed one.
 */
export function originAllowed(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed.has('*') || allowed.has(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

const ALLOW_HEADERS = 'authorization, fastly-key, content-type';

/**
 * Adds CORS headers for a listed cross origin and answers its preflight. Returns 'preflight' when the
 * request was an OPTIONS preflight and has been answered (204 when allowed, 403 when not).
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowed: ReadonlySet<string>): 'preflight' | 'continue' {
  const origin = req.headers.origin;
  const listed = origin !== undefined && (allowed.has('*') || allowed.has(origin));
  if (listed) {
    res.setHeader('access-control-allow-origin', allowed.has('*') ? '*' : origin);
    res.setHeader('vary', 'Origin');
  }
  if (req.method === 'OPTIONS' && origin !== undefined && req.headers['access-control-request-method'] !== undefined) {
    if (!listed) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'origin not allowed (api.allowed_origins)' }));
      return 'preflight';
    }
    res.writeHead(204, { 'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS', 'access-control-allow-headers': ALLOW_HEADERS, 'access-control-max-age': '600' });
    res.end();
    return 'preflight';
  }
  return 'continue';
}
