/**
 * HEC response classification (PROTOCOLS.md "Splunk HTTP Event Collector"). HEC answers
 * `{"text":…,"code":N}`; the code decides when present, the HTTP status otherwise.
 *
 * - 8 (internal error), 9 (server busy), 18–20 (unhealthy) → retryable, Retry-After honoured.
 * - 1, 2, 3, 4 (token), 7 (index), 10, 11 (channel), 14 (acks disabled) → permanent: configuration
 *   problems that no retry fixes; the reason says which key to check.
 * - 5, 6, 12, 13, 15 → permanent for that batch (HEC refused its content).
 * - HTTP 404 → RETRYABLE, deliberately. HEC itself never answers 404 on its documented paths, so a
 *   404 comes from a proxy or load balancer in front of it (an ingress without a route during a
 *   rollout, a misrouted path) or from a wrong `endpoint`. Dead-lettering would throw away the whole
 *   stream until someone notices; retrying keeps it in the buffer (backpressure, at-least-once),
 *   marks the sink unhealthy and says why, and resumes by itself once the route is back. The startup
 *   healthcheck reports a 404 too. Bound it with `request.retry_max_duration_secs` if you prefer.
 * - any other status: the shared classification (408, 429, 5xx retryable; other 4xx permanent).
 * Reasons never carry the token: server text is redacted and no header or URL is quoted.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Secret } from '../../src/core/secret.js';
import { bodyExcerpt, classifyHttpStatus, parseRetryAfter, redact } from '../../src/delivery/http.js';
import type { SendResult } from '../../src/delivery/types.js';

export interface HecReply {
  text?: string;
  code?: number;
  ackId?: number;
}

/** The HEC JSON reply of a body, or undefined when it is not one (a proxy's HTML page, …). */
export function parseReply(body: Buffer): HecReply | undefined {
  if (body.length === 0 || body[0] !== 0x7b /* { */) return undefined;
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const o = v as Record<string, unknown>;
    const r: HecReply = {};
    if (typeof o.text === 'string') r.text = o.text;
    if (typeof o.code === 'number') r.code = o.code;
    if (typeof o.ackId === 'number') r.ackId = o.ackId;
    return r;
  } catch {
    return undefined;
  }
}

const RETRYABLE_CODES = new Set([8, 9, 18, 19, 20]);

/** What to check for each configuration-level code. */
const CONFIG_HINTS: Record<number, string> = {
  1: 'token disabled: enable the HEC token in Splunk or set another `token`',
  2: 'token required: set `token`',
  3: 'invalid authorization: check `token`',
  4: 'invalid token: check `token`',
  7: 'incorrect index: check `index` (the token must be allowed to write to it)',
  10: 'data channel missing',
  11: 'invalid data channel',
  14: 'indexer acknowledgement is disabled for this token: set acknowledgements.indexer_acknowledgements_enabled: false',
};

const BATCH_HINTS: Record<number, string> = {
  5: 'no data',
  6: 'invalid data format',
  12: 'event field is required',
  13: 'event field cannot be blank',
  15: 'error in handling indexed fields (check `indexed_fields`)',
};

function reasonOf(status: number, reply: HecReply, hint: string | undefined, secrets: readonly Secret[]): string {
  const text = reply.text !== undefined ? redact(bodyExcerpt(reply.text), secrets) : '';
  return `HEC code ${reply.code} (HTTP ${status})${hint ? `: ${hint}` : ''}${text ? ` — server said: ${text}` : ''}`;
}

/** Classifies a non-success reply (anything but HTTP 2xx with code 0 or no code). */
export function classifyReply(status: number, headers: IncomingHttpHeaders, body: Buffer, secrets: readonly Secret[], now = Date.now()): SendResult {
  const reply = parseReply(body);
  const code = reply?.code;
  if (reply && code !== undefined && code !== 0 && code !== 404) {
    if (RETRYABLE_CODES.has(code)) {
      const afterMs = parseRetryAfter(headers['retry-after'], now);
      const reason = reasonOf(status, reply, code === 9 ? 'server busy' : code === 8 ? 'internal error' : 'HEC unhealthy', secrets);
      return afterMs === undefined ? { kind: 'retryable', reason } : { kind: 'retryable', reason, afterMs };
    }
    const cfg = CONFIG_HINTS[code];
    if (cfg !== undefined) return { kind: 'permanent', reason: reasonOf(status, reply, cfg, secrets) };
    const batch = BATCH_HINTS[code];
    if (batch !== undefined) return { kind: 'permanent', reason: reasonOf(status, reply, `batch rejected, ${batch}`, secrets) };
  }
  if (status === 404) {
    const ex = redact(bodyExcerpt(body), secrets);
    const reason = `HTTP 404: not found — check that \`endpoint\` is the HEC base URL, or the proxy in front of HEC${ex ? `: ${ex}` : ''}`;
    const afterMs = parseRetryAfter(headers['retry-after'], now);
    return afterMs === undefined ? { kind: 'retryable', reason } : { kind: 'retryable', reason, afterMs };
  }
  const r = classifyHttpStatus(status, headers, body, { secrets, now });
  // A 2xx with an unknown non-zero code is not a success HEC documents: refuse it permanently.
  if (r.kind === 'ok') return { kind: 'permanent', reason: reply ? reasonOf(status, reply, 'unexpected reply', secrets) : `HTTP ${status}: unexpected reply` };
  return r;
}
