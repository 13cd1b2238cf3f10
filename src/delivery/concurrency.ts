/**
 * How many requests a sink may have in flight. Fixed (`request.concurrency: N`, or 1 for serial
 * drivers) or adaptive: AIMD in the spirit of Vector's Adaptive Request Concurrency.
 *
 * Adaptive: start at 1. Responses are observed in windows about one round trip long (the RTT
 * baseline, an EWMA). At the end of each window:
 * - a retryable response, timeout or network error in the window (the endpoint pushes back), or a
 *   mean RTT rising past baseline + RTT_DEVIATION_SCALE × its mean deviation → limit × 0.9 (at
 *   least −1, never below 1);
 * - otherwise, if the limit was reached during the window (we were actually limited) → limit + 1
 *   (at most MAX_ADAPTIVE_CONCURRENCY).
 * Then the baseline absorbs the window's mean RTT.
 */

export const MAX_ADAPTIVE_CONCURRENCY = 64;
/** EWMA weight of a new window in the RTT baseline and its deviation. */
export const RTT_EWMA_ALPHA = 0.4;
/** How many mean deviations above the baseline count as "RTT rising". */
export const RTT_DEVIATION_SCALE = 2.5;
/** RTT noise below this fraction of the baseline never counts as rising (tiny, steady RTTs). */
const MIN_RISE_FRACTION = 0.1;

export type ResponseOutcome = 'ok' | 'retryable' | 'permanent' | 'error';

export interface ConcurrencyController {
  readonly adaptive: boolean;
  readonly limit: number;
  /** A request started; `inflight` counts it. */
  onStart(inflight: number): void;
  /** A request (one attempt) ended after `rttMs`. */
  onResponse(rttMs: number, outcome: ResponseOutcome): void;
}

export class FixedConcurrency implements ConcurrencyController {
  readonly adaptive = false;
  constructor(readonly limit: number) {}
  onStart(): void {}
  onResponse(): void {}
}

export class AdaptiveConcurrency implements ConcurrencyController {
  readonly adaptive = true;
  private current = 1;
  private baseline: number | undefined;
  private deviation = 0;
  private windowStart: number;
  private rttSum = 0;
  private rttCount = 0;
  private reachedLimit = false;
  private backpressure = false;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly max = MAX_ADAPTIVE_CONCURRENCY,
  ) {
    this.windowStart = now();
  }

  get limit(): number {
    return this.current;
  }

  onStart(inflight: number): void {
    if (inflight >= this.current) this.reachedLimit = true;
  }

  onResponse(rttMs: number, outcome: ResponseOutcome): void {
    if (outcome === 'retryable' || outcome === 'error') this.backpressure = true;
    else {
      this.rttSum += rttMs;
      this.rttCount += 1;
    }
    const now = this.now();
    // A window lasts about one baseline RTT, so that the limit moves at most once per round trip.
    if (now - this.windowStart >= (this.baseline ?? 0)) this.endWindow(now);
  }

  private endWindow(now: number): void {
    const mean = this.rttCount > 0 ? this.rttSum / this.rttCount : undefined;
    const base = this.baseline;
    const rising =
      mean !== undefined && base !== undefined && mean > base + Math.max(RTT_DEVIATION_SCALE * this.deviation, MIN_RISE_FRACTION * base);
    if (this.backpressure || rising) this.current = Math.max(1, Math.min(this.current - 1, Math.floor(this.current * 0.9)));
    else if (this.reachedLimit && mean !== undefined) this.current = Math.min(this.max, this.current + 1);
    if (mean !== undefined) {
      if (base === undefined) this.baseline = mean;
      else {
        this.deviation = (1 - RTT_EWMA_ALPHA) * this.deviation + RTT_EWMA_ALPHA * Math.abs(mean - base);
        this.baseline = (1 - RTT_EWMA_ALPHA) * base + RTT_EWMA_ALPHA * mean;
      }
    }
    this.windowStart = now;
    this.rttSum = 0;
    this.rttCount = 0;
    this.reachedLimit = false;
    this.backpressure = false;
  }
}
