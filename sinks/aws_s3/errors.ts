/**
 * Classifies S3 SDK errors once, as SendResult: throttling, timeouts, 5xx and network failures are
 * retryable (Retry-After honoured when the server sends one); authentication, authorization and
 * missing-bucket errors are permanent. Reasons name the S3 error code and status, never a secret.
 */
import type { Secret } from '../../src/core/secret.js';
import { parseRetryAfter, redact } from '../../src/delivery/http.js';
import type { SendResult } from '../../src/delivery/types.js';

/** Error codes S3 (and compatible servers) send for conditions that pass by themselves. */
const RETRYABLE_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
  'OperationAborted',
  'ExpiredToken',
  'TimeoutError',
]);

/** Errors raised on the client side before or instead of an HTTP exchange that will not heal. */
const PERMANENT_CLIENT_CODES = new Set(['InvalidBucketName', 'InvalidArgument', 'EntityTooLarge']);

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

function retryAfterMs(e: SdkErrorShape, now: number): number | undefined {
  const h = e.$response?.headers;
  if (!h) return undefined;
  return parseRetryAfter(h['retry-after'] ?? h['Retry-After'], now);
}

/** The S3 error as a SendResult; `op` names the operation for the reason (e.g. "upload"). */
export function classifyS3Error(err: unknown, op: string, secrets: readonly Secret[], signal?: AbortSignal, now = Date.now()): Exclude<SendResult, { kind: 'ok' }> {
  const e = (err ?? {}) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const rawMsg = typeof e.message === 'string' ? e.message : String(err);
  // One line, bounded: S3 messages can echo a StringToSign or a canonical request.
  const msg = rawMsg.replace(/\s+/g, ' ').trim().slice(0, 300);
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const reason = redact(`S3 ${op} failed: ${name}${status !== undefined ? ` (HTTP ${status})` : ''}${msg && msg !== name ? `: ${msg}` : ''}`, secrets);
  if (signal?.aborted) return { kind: 'retryable', reason: `S3 ${op} cancelled (timeout or shutdown)` };
  if (status === undefined) {
    // No HTTP response: a network failure, a credential provider that could not answer, an abort.
    if (PERMANENT_CLIENT_CODES.has(name)) return { kind: 'permanent', reason };
    return { kind: 'retryable', reason };
  }
  if (RETRYABLE_CODES.has(name) || status === 408 || status === 429 || status >= 500) {
    const afterMs = retryAfterMs(e, now);
    return afterMs === undefined ? { kind: 'retryable', reason } : { kind: 'retryable', reason, afterMs };
  }
  // AccessDenied, NoSuchBucket, InvalidAccessKeyId, SignatureDoesNotMatch and every other 4xx.
  return { kind: 'permanent', reason };
}
