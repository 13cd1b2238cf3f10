/** Bearer-token checks for the API listener, compared in constant time. */
import type { IncomingMessage } from 'node:http';
import type { Secret } from '../core/secret.js';
import { safeEqual } from '../core/net.js';

export { isLoopback, safeEqual } from '../core/net.js';

/** The token a request presents: Authorization: Bearer, or ?token= (browser dashboard, /live), or the edgetail_token cookie. */
export function presentedToken(req: IncomingMessage, url: URL): string | undefined {
  const h = req.headers.authorization;
  if (h && h.startsWith('Bearer ')) return h.slice(7).trim();
  const q = url.searchParams.get('token');
  if (q) return q;
  const cookie = req.headers.cookie;
  if (cookie) {
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === 'edgetail_token') return decodeURIComponent(v.join('='));
    }
  }
  return undefined;
}

export function isAuthorized(req: IncomingMessage, url: URL, token: Secret | undefined): boolean {
  if (!token || token.isEmpty) return true;
  const t = presentedToken(req, url);
  return t !== undefined && safeEqual(t, token.reveal());
}
