/** Bearer-token checks for the API listener, compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Secret } from '../core/secret.js';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time string comparison (hashing first makes the lengths equal). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

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

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || h.startsWith('127.');
}
