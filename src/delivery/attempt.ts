/**
 * One request of a sink runner: the driver's send() with the request timeout and the drain's abort,
 * its outcome classified, and the request's metrics and concurrency feedback recorded.
 */
import { EdgetailError, errorMessage } from '../core/errors.js';
import type { SinkMetrics } from '../telemetry/metrics.js';
import type { ConcurrencyController, ResponseOutcome } from './concurrency.js';
import { invoke, raceSignal, type Timing } from './retry.js';
import type { BatchTrace } from './tracing.js';
import type { AcceptedResult, AnySinkDriver, SendResult } from './types.js';

export interface Attempt {
  result: SendResult | AcceptedResult;
  outcome: ResponseOutcome;
}

export interface AttemptDeps {
  driver: AnySinkDriver;
  timing: Timing;
  requestTimeoutMs: number;
  /** The drain's abort: an aborted request is not an outcome (null). */
  stop: AbortSignal;
  metrics: Pick<SinkMetrics, 'requestDone' | 'concurrency'>;
  concurrency: ConcurrencyController;
  /** Counts a completed request. */
  onRequest: () => void;
}

export function isSendResult(r: unknown): r is SendResult | AcceptedResult {
  const k = (r as SendResult | AcceptedResult | undefined)?.kind;
  return k === 'ok' || k === 'retryable' || k === 'permanent' || k === 'accepted';
}

/** One request with its timeout; null when the drain deadline aborted it. */
export async function sendOnce(d: AttemptDeps, payload: unknown, trace?: BatchTrace, n = 0): Promise<Attempt | null> {
  const span = trace?.request(n);
  const ctl = new AbortController();
  const stop = d.stop;
  const onStop = () => ctl.abort(stop.reason);
  stop.addEventListener('abort', onStop, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort(new EdgetailError('SEND_TIMEOUT'));
  }, d.requestTimeoutMs);
  const started = d.timing.now();
  let a: Attempt;
  try {
    const result = await raceSignal(invoke(() => d.driver.send(payload, ctl.signal)), ctl.signal);
    a = isSendResult(result) ? { result, outcome: result.kind === 'accepted' ? 'ok' : result.kind } : { result: { kind: 'retryable', reason: 'driver returned no result' }, outcome: 'error' };
  } catch (err) {
    a = { result: { kind: 'retryable', reason: timedOut ? 'timeout' : errorMessage(err) }, outcome: 'error' };
  } finally {
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
  span?.end(a.outcome, a.result.kind === 'ok' || a.result.kind === 'accepted' ? undefined : a.result.reason);
  if (stop.aborted) return null;
  const rtt = d.timing.now() - started;
  d.onRequest();
  d.metrics.requestDone(rtt / 1000, a.outcome);
  const before = d.concurrency.limit;
  d.concurrency.onResponse(rtt, a.outcome);
  if (d.concurrency.limit !== before) d.metrics.concurrency(d.concurrency.limit);
  return a;
}

/** The driver's healthcheck within the request timeout: undefined when healthy, else why not. */
export async function healthcheckOnce(driver: AnySinkDriver, timeoutMs: number): Promise<string | undefined> {
  if (!driver.healthcheck) return undefined;
  const check = driver.healthcheck.bind(driver);
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new EdgetailError('SEND_TIMEOUT', 'healthcheck timed out')), timeoutMs);
  try {
    await raceSignal(invoke(() => check(ctl.signal)), ctl.signal);
    return undefined;
  } catch (err) {
    return errorMessage(err);
  } finally {
    clearTimeout(timer);
  }
}
