/**
 * One rt API response → what the poller does next. Kept apart from the loop so every case
 * (data, "No data available", bad key, throttling, server errors, garbage) is testable alone.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { bodyExcerpt, parseRetryAfter } from '../../delivery/http.js';

export type PollOutcome =
  /** Entries to emit; `timestamp` is the next cursor. */
  | { kind: 'data'; timestamp: number; data: unknown[] }
  /** 200 with "No data available": back off; the cursor moves to `timestamp` when one is given. */
  | { kind: 'no_data'; timestamp: number | undefined }
  /** 401/403: the key is missing, wrong or lacks access to the service. */
  | { kind: 'unauthorized'; status: number; reason: string }
  /** Anything else: back off (Retry-After honoured) and try again. */
  | { kind: 'error'; reason: string; afterMs?: number };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function cursorOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined;
}

export function classifyPoll(status: number, headers: IncomingHttpHeaders, body: Buffer, now = Date.now()): PollOutcome {
  if (status === 401 || status === 403) {
    const ex = bodyExcerpt(body);
    return { kind: 'unauthorized', status, reason: `HTTP ${status}${ex ? `: ${ex}` : ''}` };
  }
  if (status !== 200) {
    const ex = bodyExcerpt(body);
    const afterMs = parseRetryAfter(headers['retry-after'], now);
    const reason = `HTTP ${status}${ex ? `: ${ex}` : ''}`;
    return afterMs === undefined ? { kind: 'error', reason } : { kind: 'error', reason, afterMs };
  }
  let j: unknown;
  try {
    j = JSON.parse(body.toString('utf8'));
  } catch {
    return { kind: 'error', reason: `response is not JSON: ${bodyExcerpt(body)}` };
  }
  if (!isObject(j)) return { kind: 'error', reason: 'response is not a JSON object' };
  const ts = cursorOf(j.Timestamp);
  if (typeof j.error === 'string' && j.error !== '') {
    if (/no data available/i.test(j.error)) return { kind: 'no_data', timestamp: ts };
    return { kind: 'error', reason: `rt API error: ${j.error.slice(0, 200)}` };
  }
  if (!Array.isArray(j.Data)) return { kind: 'error', reason: 'response has no Data array' };
  if (ts === undefined) return { kind: 'error', reason: 'response has no Timestamp' };
  if (j.Data.length === 0) return { kind: 'no_data', timestamp: ts };
  return { kind: 'data', timestamp: ts, data: j.Data };
}
