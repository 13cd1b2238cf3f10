/**
 * Request authentication and Fastly's ownership challenge. Tokens are compared in constant time
 * (safeEqual: SHA-256 digests of both sides, then crypto.timingSafeEqual), so neither the length nor
 * a prefix of the configured value leaks through response timing.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { safeEqual } from '../../core/net.js';
import type { HttpServerSourceConfig } from './config.js';

/** ok; missing credentials (401); wrong credentials (403). */
export type AuthResult = 'ok' | 'missing' | 'wrong';

export type AuthCheck = (headers: IncomingHttpHeaders) => AuthResult;

export function makeAuthCheck(auth: HttpServerSourceConfig['auth']): AuthCheck {
  if (auth === undefined) return () => 'ok';
  if ('bearer' in auth) {
    const token = auth.bearer;
    return (headers) => {
      const h = headers.authorization;
      if (h === undefined || h === '') return 'missing';
      if (!/^bearer /i.test(h)) return 'wrong';
      return safeEqual(h.slice(7).trim(), token.reveal()) ? 'ok' : 'wrong';
    };
  }
  const name = auth.header;
  const value = auth.value;
  return (headers) => {
    const h = headers[name];
    if (h === undefined) return 'missing';
    // A repeated header arrives as an array (set-cookie style) or joined with ", ": neither matches.
    const presented = Array.isArray(h) ? h.join(', ') : h;
    return safeEqual(presented, value.reveal()) ? 'ok' : 'wrong';
  };
}

export const CHALLENGE_PATH = '/.well-known/fastly/logging/challenge';

/**
 * Body of the challenge answer: the lowercase hex SHA-256 of each service ID, one per line, or `*`
 * (any service). undefined when no service ID is configured (the challenge then gets 404).
 */
export function challengeBody(serviceIds: readonly string[]): string | undefined {
  if (serviceIds.length === 0) return undefined;
  if (serviceIds.includes('*')) return '*\n';
  return serviceIds.map((id) => createHash('sha256').update(id).digest('hex')).join('\n') + '\n';
}
