/**
 * The sink runner: wraps every sink driver with buffering, batching, retries, concurrency, dead
 * letters, acknowledgements, health and metrics (docs/delivery.md). One runner per sink, so a sink
 * that retries never resends anything to the others.
 *
 * Ownership: accept() receives one reference of the batch's finalizer (the topology retained it
 * for this sink) and the buffer releases it exactly once — split over the batches the events end
 * up in — when every event was delivered, dead-lettered or dropped. A drain that hits its deadline
 * aborts in-flight requests and releases nothing more: the source re-reads those events later.
 *
 * A disk-buffered sink's events survive a restart, so its drain does not wait on a failing
 * endpoint: the first request that fails while draining (or a retry sleeping when the drain
 * starts) ends delivery ("parks" the sink) and the rest stays in the buffer for the next start.
 */
import { setMaxListeners } from 'node:events';
import type { ComponentContext, ComponentMetrics } from '../core/component.js';
import type { Event } from '../core/event.js';
import type { Finalizer } from '../core/finalizer.js';
import { EdgetailError, errorMessage } from '../core/errors.js';
import type { SinkMetrics } from '../telemetry/metrics.js';
import { sizeOf } from '../buffer/index.js';
import type { Chunk, SinkBuffer } from '../buffer/types.js';
import { type BatchDefaults, type CommonSinkConfig } from './config.js';
import type { AcceptedResult, AnySinkDriver, SendResult, StreamingSinkDriver } from './types.js';
import type { ConcurrencyController } from './concurrency.js';
import { DeadLetterWriter } from './dead-letter.js';
import { describeBuffer, HealthTracker, sinkHealth, type SinkHealth } from './health.js';
import { Waker } from './waker.js';
import { invoke, realTiming, retryDelayMs, type BackoffPolicy, type Timing } from './retry.js';
import { healthcheckOnce, isSendResult, sendOnce, type Attempt, type AttemptDeps } from './attempt.js';
import { deliverySettings, initSinkMetrics, sinkBuffer } from './settings.js';
import { deliveryTracer, type BatchTrace } from './tracing.js';

export type RunnerState = 'created' | 'starting' | 'running' | 'draining' | 'stopped';

export interface SinkRunnerOptions {
  id: string;
  type: string;
  config: CommonSinkConfig;
  batchDefaults?: Partial<BatchDefaults>;
  driver: AnySinkDriver;
  ctx: ComponentContext & { metrics: ComponentMetrics & SinkMetrics };
  /** Defaults to createBuffer(config.buffer). */
  buffer?: SinkBuffer;
  /** Clock, sleep and randomness (tests). */
  timing?: Partial<Timing>;
}

export class SinkRunner {
  readonly id: string;
  readonly type: string;
  readonly batch: BatchDefaults;
  private readonly config: CommonSinkConfig;
  private readonly driver: AnySinkDriver;
  private readonly ctx: SinkRunnerOptions['ctx'];
  private readonly buffer: SinkBuffer;
  private readonly timing: Timing;
  private readonly concurrency: ConcurrencyController;
  private readonly deadLetters: DeadLetterWriter;
  private readonly backoff: BackoffPolicy;
  private readonly requestTimeoutMs: number;
  private readonly maxRetryMs: number;

  private state: RunnerState = 'created';
  private loopRunning = false;
  private flushing = false;
  private stopped = false;
  /** Aborted at the drain deadline: in-flight requests and backoff sleeps end, nothing is acked. */
  private readonly abort = new AbortController();
  /** Aborted when a disk-buffered sink starts draining: retry sleeps end (see parkOnFailure). */
  private readonly retryWake = new AbortController();
  private readonly retrySignal: AbortSignal;
  /** Draining a disk-buffered sink whose endpoint failed: no more sends; the rest stays on disk. */
  private parked = false;
  private inflight = 0;
  /** `accepted` batches (streaming sinks) waiting for their outcome. */
  private settling = 0;
  /** `accepted` sends since the driver was last asked to flush. */
  private unflushed = 0;
  private accepting = 0;
  /** Wakes the delivery loop (new events, a free slot, a drain). */
  private readonly waker = new Waker();
  private idleResolve: (() => void) | undefined;
  private drainPromise: Promise<void> | undefined;

  private readonly healthState: HealthTracker;
  private lastDropWarn = -Infinity;
  private readonly counters = { received: 0, sent: 0, dropped: 0, dead_lettered: 0, requests: 0, failed_requests: 0, retries: 0 };
  private readonly attemptDeps: AttemptDeps;

  constructor(opts: SinkRunnerOptions) {
    this.id = opts.id;
    this.type = opts.type;
    this.config = opts.config;
    this.driver = opts.driver;
    this.ctx = opts.ctx;
    this.timing = { ...realTiming, ...opts.timing };
    ({ batch: this.batch, requestTimeoutMs: this.requestTimeoutMs, backoff: this.backoff, maxRetryMs: this.maxRetryMs, concurrency: this.concurrency } = deliverySettings(
      opts.config,
      opts.batchDefaults,
      opts.driver.serial === true,
      this.timing.now,
    ));
    this.buffer = opts.buffer ?? sinkBuffer(opts.config.buffer, opts.id, opts.ctx, this.timing.now);
    this.deadLetters = new DeadLetterWriter(opts.ctx.dataDir, opts.id);
    this.healthState = new HealthTracker(opts.ctx.logger);
    initSinkMetrics(this.ctx.metrics, this.buffer, this.concurrency.limit);
    // One listener per in-flight request and per backoff sleep: up to the concurrency limit and more.
    this.retrySignal = AbortSignal.any([this.abort.signal, this.retryWake.signal]);
    setMaxListeners(0, this.abort.signal, this.retrySignal);
    this.attemptDeps = {
      driver: this.driver,
      timing: this.timing,
      requestTimeoutMs: this.requestTimeoutMs,
      stop: this.abort.signal,
      metrics: this.ctx.metrics,
      concurrency: this.concurrency,
      onRequest: () => (this.counters.requests += 1),
    };
  }

  /** Runs the healthcheck (when enabled; a failure only marks the sink unhealthy), then delivers. */
  async start(): Promise<void> {
    if (this.state !== 'created') return;
    this.state = 'starting';
    if (this.config.healthcheck?.enabled !== false) {
      const failure = await healthcheckOnce(this.driver, this.requestTimeoutMs);
      if (failure !== undefined) {
        this.ctx.metrics.error('healthcheck_failed', 'healthcheck');
        this.healthState.healthcheckFailed(failure);
      }
    }
    if (this.state === 'starting') this.state = 'running';
    this.ensureLoop();
  }

  /**
   * Takes ownership of one reference of `finalizer` (see the file comment) and resolves once the
   * buffer accepted the events (the caller's backpressure). Rejects with SHUTDOWN once draining.
   */
  async accept(events: Event[], finalizer?: Finalizer): Promise<void> {
    if (this.state === 'draining' || this.state === 'stopped') throw new EdgetailError('SHUTDOWN', `sink ${this.id} is shutting down`);
    this.counters.received += events.length;
    this.ctx.metrics.received(events.length, sizeOf(events));
    this.accepting += 1;
    try {
      const pushed = this.buffer.push(events, finalizer);
      // A push that waits for room must be seen by the loop now (it takes a batch for a waiting
      // push), not when the loop's batch timeout fires: with a big batch (aws_s3: 100,000 events,
      // 300 s) and a smaller buffer the source stalled for the whole timeout.
      this.waker.wake();
      const dropped = await pushed;
      if (dropped > 0) this.onDropped(dropped);
    } finally {
      this.accepting -= 1;
      this.reportBuffer();
      this.waker.wake();
      this.checkIdle();
    }
  }

  /**
   * Stops accepting, sends the partial batch at once and delivers what is buffered and in flight
   * for up to `deadlineMs` milliseconds; then aborts in-flight requests without releasing their
   * finalizers (at-least-once: the source re-reads them after a restart).
   */
  drain(deadlineMs: number): Promise<void> {
    this.drainPromise ??= this.doDrain(deadlineMs);
    return this.drainPromise;
  }

  health(): SinkHealth {
    return sinkHealth(this.buffer, this.healthState);
  }

  describe(): Record<string, unknown> {
    const h = this.health();
    return {
      state: this.state,
      healthy: h.healthy,
      reason: h.reason,
      buffer: describeBuffer(this.buffer, this.config.buffer),
      batch: { ...this.batch },
      concurrency: { mode: this.concurrency.adaptive ? 'adaptive' : 'fixed', limit: this.concurrency.limit, inflight: this.inflight },
      counters: { ...this.counters },
      last_error: this.healthState.lastError,
    };
  }

  // ---- the delivery loop ----------------------------------------------------------------------

  private ensureLoop(): void {
    if (this.loopRunning || this.stopped) return;
    this.loopRunning = true;
    void this.loop().finally(() => {
      this.loopRunning = false;
    });
  }

  /** Takes a batch whenever one is ready and a request slot is free; sleeps otherwise. */
  private async loop(): Promise<void> {
    const maxEvents = this.batch.max_events;
    const maxBytes = this.batch.max_bytes;
    const timeoutMs = this.batch.timeout_secs * 1000;
    while (!this.stopped) {
      const buf = this.buffer;
      // A streaming sink holds accepted batches in open objects: close them when draining, or when
      // they fill the buffer (sources are waiting for room that only their completion frees).
      if (buf.queuedEvents === 0 && this.inflight === 0 && this.unflushed > 0 && (this.flushing || buf.waitingPushes > 0)) {
        this.unflushed = 0;
        if ('flush' in this.driver) (this.driver as StreamingSinkDriver).flush();
      }
      if (buf.queuedEvents === 0 || this.inflight >= this.concurrency.limit) {
        await this.waker.sleep(undefined);
        continue;
      }
      const age = this.timing.now() - (buf.oldestQueuedAt ?? Infinity);
      const ready = this.flushing || buf.queuedEvents >= maxEvents || buf.queuedBytes >= maxBytes || age >= timeoutMs || buf.waitingPushes > 0;
      if (!ready) {
        await this.waker.sleep(Math.max(1, timeoutMs - age));
        continue;
      }
      const chunk = buf.take(maxEvents, maxBytes);
      if (chunk) this.dispatch(chunk);
    }
  }

  private dispatch(chunk: Chunk): void {
    this.inflight += 1;
    this.concurrency.onStart(this.inflight);
    this.ctx.metrics.inflight(this.inflight);
    this.deliver(chunk)
      .catch((err: unknown) => this.ctx.logger.error({ err: errorMessage(err) }, 'delivery failed unexpectedly; batch left unacknowledged'))
      .finally(() => {
        this.inflight -= 1;
        this.ctx.metrics.inflight(this.inflight);
        this.waker.wake();
        this.checkIdle();
      });
  }

  /** One batch: encode once, then send (and re-send the same payload) until it is settled. */
  private async deliver(chunk: Chunk): Promise<void> {
    // Self-telemetry (off by default): one span per batch, a child span per request.
    const trace = deliveryTracer()?.batch(this.id, this.type, chunk.events.length, chunk.bytes);
    let payload: unknown;
    try {
      payload = await invoke(() => this.driver.encode(chunk.events));
    } catch (err) {
      if (this.abort.signal.aborted) return trace?.end('aborted');
      trace?.end('dead_letter', errorMessage(err));
      return this.deadLetter(chunk, errorMessage(err), 'encode_failed', 'encoding');
    }
    return this.sendUntilSettled(chunk, payload, 0, this.timing.now(), trace);
  }

  private async sendUntilSettled(chunk: Chunk, payload: unknown, firstAttempt: number, firstAttemptAt: number, trace: BatchTrace | undefined): Promise<void> {
    const wireBytes = this.driver.payloadBytes?.(payload) ?? chunk.bytes;
    for (let attempt = firstAttempt; ; attempt++) {
      const a = await this.attempt(payload, trace, attempt);
      if (a === null) return trace?.end('aborted'); // drain deadline: leave it unacknowledged
      const result = a.result;
      if (result.kind === 'accepted') {
        // A streaming sink took the batch into an open object: free the slot, settle later.
        this.healthState.requestSucceeded();
        this.unflushed += 1;
        this.settling += 1;
        void this.settleLater(chunk, payload, result.settled, attempt, firstAttemptAt, wireBytes, trace);
        return;
      }
      if (result.kind === 'ok') {
        trace?.end('delivered');
        return this.delivered(chunk, wireBytes);
      }
      this.counters.failed_requests += 1;
      this.healthState.requestFailed(result.reason);
      if (result.kind === 'permanent') {
        trace?.end('dead_letter', result.reason);
        return this.deadLetter(chunk, result.reason, 'request_failed', 'sending');
      }
      if (!(await this.backoffBeforeRetry(result, attempt, firstAttemptAt, chunk, trace))) return;
    }
  }

  /** The outcome of an `accepted` batch: ack, dead-letter, or send it again (from a fresh slot). */
  private async settleLater(chunk: Chunk, payload: unknown, settled: Promise<SendResult>, attempt: number, firstAttemptAt: number, wireBytes: number, trace: BatchTrace | undefined): Promise<void> {
    try {
      let result: SendResult;
      try {
        result = await settled;
        if (!isSendResult(result) || (result as unknown as AcceptedResult).kind === 'accepted') result = { kind: 'retryable', reason: 'driver settled a batch without an outcome' };
      } catch (err) {
        result = { kind: 'retryable', reason: errorMessage(err) };
      }
      if (this.abort.signal.aborted) return trace?.end('aborted');
      if (result.kind === 'ok') {
        trace?.end('delivered');
        return this.delivered(chunk, wireBytes);
      }
      this.counters.failed_requests += 1;
      this.healthState.requestFailed(result.reason);
      if (result.kind === 'permanent') {
        trace?.end('dead_letter', result.reason);
        return await this.deadLetter(chunk, result.reason, 'request_failed', 'sending');
      }
      if (!(await this.backoffBeforeRetry(result, attempt, firstAttemptAt, chunk, trace))) return;
      this.inflight += 1;
      this.ctx.metrics.inflight(this.inflight);
      try {
        await this.sendUntilSettled(chunk, payload, attempt + 1, firstAttemptAt, trace);
      } finally {
        this.inflight -= 1;
        this.ctx.metrics.inflight(this.inflight);
      }
    } catch (err) {
      this.ctx.logger.error({ err: errorMessage(err) }, 'delivery failed unexpectedly; batch left unacknowledged');
    } finally {
      this.settling -= 1;
      this.waker.wake();
      this.checkIdle();
    }
  }

  private delivered(chunk: Chunk, wireBytes: number): void {
    this.healthState.requestSucceeded();
    this.counters.sent += chunk.events.length;
    this.ctx.metrics.sent(chunk.events.length, wireBytes);
    this.buffer.ack(chunk, 'delivered');
    this.reportBuffer();
  }

  /** Sleeps before the next attempt; false when the batch was dead-lettered or the drain aborted. */
  private async backoffBeforeRetry(result: { reason: string; afterMs?: number }, attempt: number, firstAttemptAt: number, chunk: Chunk, trace: BatchTrace | undefined): Promise<boolean> {
    if (this.parkOnFailure(result.reason)) {
      trace?.end('aborted'); // left unacknowledged: still in the disk buffer
      return false;
    }
    const delay = retryDelayMs(this.backoff, attempt, result.afterMs, this.timing.random);
    if (this.maxRetryMs > 0 && this.timing.now() - firstAttemptAt + delay > this.maxRetryMs) {
      trace?.end('dead_letter', `retries exhausted: ${result.reason}`);
      await this.deadLetter(chunk, `retries exhausted: ${result.reason}`, 'request_failed', 'sending');
      return false;
    }
    this.counters.retries += 1;
    this.ctx.metrics.retried();
    this.ctx.logger.debug({ reason: result.reason, attempt: attempt + 1, delay_ms: Math.round(delay) }, 'request failed; will retry');
    await this.timing.sleep(delay, this.retrySignal);
    if (!this.abort.signal.aborted && !this.parkOnFailure(result.reason)) return true;
    trace?.end('aborted');
    return false;
  }

  /** While draining a disk-buffered sink, a failure ends delivery: true when the caller must stop. */
  private parkOnFailure(reason: string): boolean {
    if (this.state !== 'draining' || this.buffer.kind !== 'disk') return false;
    if (!this.parked) {
      this.parked = true;
      this.stopped = true;
      this.ctx.logger.info({ reason, buffered_events: this.buffer.events }, 'endpoint failing while draining: the rest stays in the disk buffer for the next start');
      this.waker.wake();
    }
    return true;
  }

  /** One request (src/delivery/attempt.ts); null when the drain deadline aborted it. */
  private attempt(payload: unknown, trace?: BatchTrace, n = 0): Promise<Attempt | null> {
    return sendOnce(this.attemptDeps, payload, trace, n);
  }

  private async deadLetter(chunk: Chunk, reason: string, errorType: string, stage: string): Promise<void> {
    const n = chunk.events.length;
    try {
      await this.deadLetters.write(chunk.events, reason);
    } catch (err) {
      this.ctx.metrics.error('dead_letter_write_failed', stage);
      this.ctx.logger.error({ err: errorMessage(err), events: n, dir: this.deadLetters.dir }, 'dead letter file could not be written: events lost');
    }
    this.counters.dead_lettered += n;
    this.ctx.metrics.discarded(n, 'dead_letter');
    this.ctx.metrics.error(errorType, stage);
    this.ctx.logger.error({ reason, events: n, dir: this.deadLetters.dir }, 'batch dead-lettered');
    this.buffer.ack(chunk, 'errored');
    this.reportBuffer();
  }

  // ---- health, metrics, shutdown --------------------------------------------------------------

  private onDropped(n: number): void {
    this.counters.dropped += n;
    this.ctx.metrics.discarded(n, 'buffer_full');
    const now = this.timing.now();
    if (now - this.lastDropWarn >= 60_000) {
      this.lastDropWarn = now;
      this.ctx.logger.warn({ events: n }, 'buffer full (when_full: drop_newest): dropping events');
    }
  }

  private reportBuffer(): void {
    this.ctx.metrics.buffer(this.buffer.events, this.buffer.bytes);
  }

  private isIdle(): boolean {
    return this.accepting === 0 && this.inflight === 0 && this.settling === 0 && (this.parked || this.buffer.events === 0);
  }

  private checkIdle(): void {
    if (this.idleResolve && this.isIdle()) {
      const r = this.idleResolve;
      this.idleResolve = undefined;
      r();
    }
  }

  private async doDrain(deadlineMs: number): Promise<void> {
    this.state = 'draining';
    this.flushing = true;
    if (this.buffer.kind === 'disk') this.retryWake.abort(); // retries asleep now park the sink
    this.ensureLoop();
    this.waker.wake();
    let timer: NodeJS.Timeout | undefined;
    const idle = await new Promise<boolean>((resolve) => {
      if (this.isIdle()) return resolve(true);
      this.idleResolve = () => resolve(true);
      timer = setTimeout(() => resolve(false), Math.max(0, deadlineMs));
    });
    clearTimeout(timer);
    this.idleResolve = undefined;
    if (!idle) {
      this.ctx.logger.warn(
        { inflight: this.inflight, buffered_events: this.buffer.events, waiting_accepts: this.accepting },
        'drain deadline reached: aborting in-flight requests; unacknowledged events will be re-read after restart',
      );
      this.abort.abort(new EdgetailError('SHUTDOWN', 'drain deadline reached'));
    }
    this.stopped = true;
    this.waker.wake();
    await this.buffer.close();
    try {
      await this.driver.close?.();
    } catch (err) {
      this.ctx.logger.warn({ err: errorMessage(err) }, 'sink close failed');
    }
    this.state = 'stopped';
  }
}
