/**
 * The sink runner: wraps every sink driver with buffering, batching, retries, concurrency, dead
 * letters, acknowledgements, health and metrics (docs/delivery.md). One runner per sink, so a sink
 * that retries never resends anything to the others.
 *
 * Ownership: accept() receives one reference of the batch's finalizer (the topology retained it
 * for this sink) and the buffer releases it exactly once — split over the batches the events end
 * up in — when every event was delivered, dead-lettered or dropped. A drain that hits its deadline
 * aborts in-flight requests and releases nothing more: the source re-reads those events later.
 */
import { setMaxListeners } from 'node:events';
import type { ComponentContext, ComponentMetrics } from '../core/component.js';
import type { Event } from '../core/event.js';
import type { Finalizer } from '../core/finalizer.js';
import { EdgetailError, errorMessage } from '../core/errors.js';
import type { SinkMetrics } from '../telemetry/metrics.js';
import { createBuffer, DEFAULT_DISK_BUFFER_BYTES, sizeOf } from '../buffer/index.js';
import type { Chunk, SinkBuffer } from '../buffer/types.js';
import { DEFAULT_BATCH, DEFAULT_MEMORY_BUFFER_EVENTS, type BatchDefaults, type CommonSinkConfig } from './config.js';
import type { SendResult, SinkDriver } from './types.js';
import { AdaptiveConcurrency, FixedConcurrency, type ConcurrencyController, type ResponseOutcome } from './concurrency.js';
import { DeadLetterWriter } from './dead-letter.js';
import { HealthTracker, type SinkHealth } from './health.js';
import { invoke, raceSignal, realTiming, retryDelayMs, type BackoffPolicy, type Timing } from './retry.js';

export type RunnerState = 'created' | 'starting' | 'running' | 'draining' | 'stopped';

export interface SinkRunnerOptions {
  id: string;
  type: string;
  config: CommonSinkConfig;
  batchDefaults?: Partial<BatchDefaults>;
  driver: SinkDriver;
  ctx: ComponentContext & { metrics: ComponentMetrics & SinkMetrics };
  /** Defaults to createBuffer(config.buffer). */
  buffer?: SinkBuffer;
  /** Clock, sleep and randomness (tests). */
  timing?: Partial<Timing>;
}

interface Attempt {
  result: SendResult;
  outcome: ResponseOutcome;
}

export class SinkRunner {
  readonly id: string;
  readonly type: string;
  readonly batch: BatchDefaults;
  private readonly config: CommonSinkConfig;
  private readonly driver: SinkDriver;
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
  private inflight = 0;
  private accepting = 0;
  private wakeResolve: (() => void) | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private idleResolve: (() => void) | undefined;
  private drainPromise: Promise<void> | undefined;

  private readonly healthState: HealthTracker;
  private lastDropWarn = -Infinity;
  private readonly counters = { received: 0, sent: 0, dropped: 0, dead_lettered: 0, requests: 0, failed_requests: 0, retries: 0 };

  constructor(opts: SinkRunnerOptions) {
    this.id = opts.id;
    this.type = opts.type;
    this.config = opts.config;
    this.driver = opts.driver;
    this.ctx = opts.ctx;
    this.timing = { ...realTiming, ...opts.timing };
    const b = opts.config.batch ?? {};
    const d = { ...DEFAULT_BATCH, ...opts.batchDefaults };
    this.batch = { max_events: b.max_events ?? d.max_events, max_bytes: b.max_bytes ?? d.max_bytes, timeout_secs: b.timeout_secs ?? d.timeout_secs };
    const r = opts.config.request ?? {};
    this.requestTimeoutMs = (r.timeout_secs ?? 30) * 1000;
    this.backoff = { initialMs: (r.retry_initial_backoff_secs ?? 1) * 1000, maxMs: (r.retry_max_backoff_secs ?? 30) * 1000 };
    this.maxRetryMs = (r.retry_max_duration_secs ?? 0) * 1000;
    const c = r.concurrency ?? 'adaptive';
    this.concurrency = opts.driver.serial ? new FixedConcurrency(1) : c === 'adaptive' ? new AdaptiveConcurrency(this.timing.now) : new FixedConcurrency(c);
    this.buffer =
      opts.buffer ??
      createBuffer(opts.config.buffer, {
        id: opts.id,
        dataDir: opts.ctx.dataDir,
        logger: opts.ctx.logger,
        now: this.timing.now,
        onCorrupt: (n) => {
          this.ctx.metrics.corrupt?.(n);
          for (let i = 0; i < n; i++) this.ctx.metrics.error('buffer_corrupt_record', 'buffer');
        },
      });
    this.deadLetters = new DeadLetterWriter(opts.ctx.dataDir, opts.id);
    this.healthState = new HealthTracker(opts.ctx.logger);
    // Every contract series exists from the start (dashboards and alerts see 0, not "no data").
    this.ctx.metrics.received(0, 0);
    this.ctx.metrics.sent(0, 0);
    this.ctx.metrics.buffer(this.buffer.events, this.buffer.bytes); // a disk buffer may hold events from before a restart
    this.ctx.metrics.inflight(0);
    this.ctx.metrics.concurrency(this.concurrency.limit);
    this.ctx.metrics.initSink?.();
    // One listener per in-flight request and per backoff sleep: up to the concurrency limit and more.
    setMaxListeners(0, this.abort.signal);
  }

  /** Runs the healthcheck (when enabled; a failure only marks the sink unhealthy), then delivers. */
  async start(): Promise<void> {
    if (this.state !== 'created') return;
    this.state = 'starting';
    if (this.config.healthcheck?.enabled !== false && this.driver.healthcheck) await this.runHealthcheck();
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
      this.wake();
      const dropped = await pushed;
      if (dropped > 0) this.onDropped(dropped);
    } finally {
      this.accepting -= 1;
      this.reportBuffer();
      this.wake();
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
    const h: SinkHealth = { healthy: true, bufferEvents: this.buffer.events, bufferBytes: this.buffer.bytes, bufferFill: this.buffer.fill };
    // A disk buffer whose writes fail says so (pushes wait meanwhile: the sources are back-pressured).
    const problem = this.healthState.problem ?? (this.buffer as { problem?: string }).problem;
    if (problem !== undefined) {
      h.healthy = false;
      h.reason = problem;
    }
    return h;
  }

  describe(): Record<string, unknown> {
    const h = this.health();
    const bufferCfg = this.config.buffer;
    return {
      state: this.state,
      healthy: h.healthy,
      reason: h.reason,
      buffer: {
        type: this.buffer.kind,
        events: h.bufferEvents,
        bytes: h.bufferBytes,
        fill: h.bufferFill,
        max_events: bufferCfg?.max_events ?? (this.buffer.kind === 'memory' ? DEFAULT_MEMORY_BUFFER_EVENTS : undefined),
        max_bytes: bufferCfg?.max_bytes ?? (this.buffer.kind === 'disk' ? DEFAULT_DISK_BUFFER_BYTES : undefined),
        when_full: bufferCfg?.when_full ?? 'block',
      },
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
      if (buf.queuedEvents === 0 || this.inflight >= this.concurrency.limit) {
        await this.sleep(undefined);
        continue;
      }
      const age = this.timing.now() - (buf.oldestQueuedAt ?? Infinity);
      const ready = this.flushing || buf.queuedEvents >= maxEvents || buf.queuedBytes >= maxBytes || age >= timeoutMs || buf.waitingPushes > 0;
      if (!ready) {
        await this.sleep(Math.max(1, timeoutMs - age));
        continue;
      }
      const chunk = buf.take(maxEvents, maxBytes);
      if (chunk) this.dispatch(chunk);
    }
  }

  /** Resolves on wake() or after `ms`. */
  private sleep(ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeResolve = resolve;
      if (ms !== undefined) this.wakeTimer = setTimeout(() => this.wake(), ms);
    });
  }

  private wake(): void {
    if (this.wakeTimer !== undefined) {
      clearTimeout(this.wakeTimer);
      this.wakeTimer = undefined;
    }
    const r = this.wakeResolve;
    this.wakeResolve = undefined;
    r?.();
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
        this.wake();
        this.checkIdle();
      });
  }

  /** One batch: encode once, then send (and re-send the same payload) until it is settled. */
  private async deliver(chunk: Chunk): Promise<void> {
    let payload: unknown;
    try {
      payload = await invoke(() => this.driver.encode(chunk.events));
    } catch (err) {
      if (this.abort.signal.aborted) return;
      return this.deadLetter(chunk, errorMessage(err), 'encode_failed', 'encoding');
    }
    const wireBytes = this.driver.payloadBytes?.(payload) ?? chunk.bytes;
    const firstAttemptAt = this.timing.now();
    for (let attempt = 0; ; attempt++) {
      const a = await this.attempt(payload);
      if (a === null) return; // drain deadline: leave it unacknowledged
      const result = a.result;
      if (result.kind === 'ok') {
        this.healthState.requestSucceeded();
        this.counters.sent += chunk.events.length;
        this.ctx.metrics.sent(chunk.events.length, wireBytes);
        this.buffer.ack(chunk, 'delivered');
        this.reportBuffer();
        return;
      }
      this.counters.failed_requests += 1;
      this.healthState.requestFailed(result.reason);
      if (result.kind === 'permanent') return this.deadLetter(chunk, result.reason, 'request_failed', 'sending');
      const delay = retryDelayMs(this.backoff, attempt, result.afterMs, this.timing.random);
      if (this.maxRetryMs > 0 && this.timing.now() - firstAttemptAt + delay > this.maxRetryMs) {
        return this.deadLetter(chunk, `retries exhausted: ${result.reason}`, 'request_failed', 'sending');
      }
      this.counters.retries += 1;
      this.ctx.metrics.retried();
      this.ctx.logger.debug({ reason: result.reason, attempt: attempt + 1, delay_ms: Math.round(delay) }, 'request failed; will retry');
      await this.timing.sleep(delay, this.abort.signal);
      if (this.abort.signal.aborted) return;
    }
  }

  /** One request with its timeout; null when the drain deadline aborted it. */
  private async attempt(payload: unknown): Promise<Attempt | null> {
    const ctl = new AbortController();
    const stop = this.abort.signal;
    const onStop = () => ctl.abort(stop.reason);
    stop.addEventListener('abort', onStop, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort(new EdgetailError('SEND_TIMEOUT'));
    }, this.requestTimeoutMs);
    const started = this.timing.now();
    let a: Attempt;
    try {
      const result = await raceSignal(invoke(() => this.driver.send(payload, ctl.signal)), ctl.signal);
      a = isSendResult(result) ? { result, outcome: result.kind } : { result: { kind: 'retryable', reason: 'driver returned no result' }, outcome: 'error' };
    } catch (err) {
      a = { result: { kind: 'retryable', reason: timedOut ? 'timeout' : errorMessage(err) }, outcome: 'error' };
    } finally {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
    }
    if (stop.aborted) return null;
    const rtt = this.timing.now() - started;
    this.counters.requests += 1;
    this.ctx.metrics.requestDone(rtt / 1000, a.outcome);
    const before = this.concurrency.limit;
    this.concurrency.onResponse(rtt, a.outcome);
    if (this.concurrency.limit !== before) this.ctx.metrics.concurrency(this.concurrency.limit);
    return a;
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

  private async runHealthcheck(): Promise<void> {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new EdgetailError('SEND_TIMEOUT', 'healthcheck timed out')), this.requestTimeoutMs);
    try {
      await raceSignal(invoke(() => this.driver.healthcheck!(ctl.signal)), ctl.signal);
    } catch (err) {
      this.ctx.metrics.error('healthcheck_failed', 'healthcheck');
      this.healthState.healthcheckFailed(errorMessage(err));
    } finally {
      clearTimeout(timer);
    }
  }

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
    return this.accepting === 0 && this.inflight === 0 && this.buffer.events === 0;
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
    this.ensureLoop();
    this.wake();
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
    this.wake();
    await this.buffer.close();
    try {
      await this.driver.close?.();
    } catch (err) {
      this.ctx.logger.warn({ err: errorMessage(err) }, 'sink close failed');
    }
    this.state = 'stopped';
  }
}

function isSendResult(r: unknown): r is SendResult {
  const k = (r as SendResult | undefined)?.kind;
  return k === 'ok' || k === 'retryable' || k === 'permanent';
}
