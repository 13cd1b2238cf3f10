/**
 * Retry policy and the small timing helpers the runner needs, injectable for tests.
 *
 * Backoff is exponential with FULL jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
 * attempt k (0-based) waits random() × min(max, initial × 2^k). A Retry-After given by the endpoint
 * (SendResult.afterMs > 0) replaces the computed backoff, capped at MAX_RETRY_AFTER_MS so that a
 * broken header cannot park a sink for days.
 */
import { EdgetailError } from '../core/errors.js';

/** Longest Retry-After honoured: 10 minutes. */
export const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;

export interface Timing {
  /** Monotonic milliseconds. */
  now(): number;
  /** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export const realTiming: Timing = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
  random: () => Math.random(),
};

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** The delay before retry number `attempt` + 1 (attempt 0 = after the first failure). */
export function retryDelayMs(policy: BackoffPolicy, attempt: number, afterMs: number | undefined, random: () => number): number {
  if (afterMs !== undefined && Number.isFinite(afterMs) && afterMs > 0) return Math.min(afterMs, MAX_RETRY_AFTER_MS);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 40));
  return random() * ceiling;
}

/**
 * Settles like `p`, or rejects with the signal's reason as soon as it aborts — for drivers that do
 * not honour their AbortSignal. A late settlement of `p` is absorbed (no unhandled rejection).
 */
export function raceSignal<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new EdgetailError('SHUTDOWN', 'aborted');
}

/** Calls `fn`, turning a synchronous throw into a rejected promise. */
export function invoke<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}
