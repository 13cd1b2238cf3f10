/** `Fastly-Key` header check for the rt-compatible API, compared in constant time. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Secret } from '../core/secret.js';
import { safeEqual } from '../core/net.js';

export type KeyCheck = 'ok' | 'missing' | 'invalid';

/** 'ok' when no keys are configured or the header matches one of them (every key is compared). */
export function checkFastlyKey(req: IncomingMessage, keys: readonly Secret[]): KeyCheck {
  const live = keys.filter((k) => !k.isEmpty);
  if (live.length === 0) return 'ok';
  const h = req.headers['fastly-key'];
  const presented = Array.isArray(h) ? h[0] : h;
  if (presented === undefined || presented === '') return 'missing';
  let ok = false;
  for (const k of live) if (safeEqual(presented, k.reveal())) ok = true;
  return ok ? 'ok' : 'invalid';
}

/** A JSON answer of the rt API (never cached). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * The common front of every `/v1/channel/{service_id}/…` route: the Fastly-Key check (401 missing,
 * 403 invalid, in Fastly's error shape) and the decoded service id (400 when malformed). Returns the
 * service id, or undefined after answering the error.
 */
export function authorizeChannel(req: IncomingMessage, res: ServerResponse, keys: readonly Secret[], encodedSid: string): string | undefined {
  const auth = checkFastlyKey(req, keys);
  if (auth !== 'ok') {
    sendJson(res, auth === 'missing' ? 401 : 403, { msg: 'Provided credentials are missing or invalid', detail: auth === 'missing' ? 'Fastly-Key header required' : 'invalid Fastly-Key' });
    return undefined;
  }
  try {
    return decodeURIComponent(encodedSid);
  } catch {
    sendJson(res, 400, { msg: 'Bad request', detail: 'invalid service id' });
    return undefined;
  }
}
