/** `Fastly-Key` header check for the rt-compatible API, compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Secret } from '../core/secret.js';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export type KeyCheck = 'ok' | 'missing' | 'invalid';

/** 'ok' when no keys are configured or the header matches one of them (every key is compared). */
export function checkFastlyKey(req: IncomingMessage, keys: readonly Secret[]): KeyCheck {
  const live = keys.filter((k) => !k.isEmpty);
  if (live.length === 0) return 'ok';
  const h = req.headers['fastly-key'];
  const presented = Array.isArray(h) ? h[0] : h;
  if (presented === undefined || presented === '') return 'missing';
  const p = digest(presented);
  let ok = false;
  for (const k of live) if (timingSafeEqual(p, digest(k.reveal()))) ok = true;
  return ok ? 'ok' : 'invalid';
}
