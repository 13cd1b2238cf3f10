/**
 * What a sink runner is built from: its delivery settings, resolved once from the common keys
 * (batch, request) and the sink's own batch defaults — what it batches by, how long a request may
 * take, how it backs off, how long it retries, how many requests it keeps in flight — its buffer,
 * and its contract metrics at zero.
 */
import type { ComponentContext, ComponentMetrics } from '../core/component.js';
import type { SinkMetrics } from '../telemetry/metrics.js';
import { createBuffer } from '../buffer/index.js';
import type { SinkBuffer } from '../buffer/types.js';
import { AdaptiveConcurrency, FixedConcurrency, type ConcurrencyController } from './concurrency.js';
import { DEFAULT_BATCH, type BatchDefaults, type CommonSinkConfig } from './config.js';
import type { BackoffPolicy } from './retry.js';

export interface DeliverySettings {
  batch: BatchDefaults;
  requestTimeoutMs: number;
  backoff: BackoffPolicy;
  /** 0 = retry forever. */
  maxRetryMs: number;
  concurrency: ConcurrencyController;
}

/** `serial` drivers (kafka: one request in flight for idempotence) always get concurrency 1. */
export function deliverySettings(config: CommonSinkConfig, batchDefaults: Partial<BatchDefaults> | undefined, serial: boolean, now: () => number): DeliverySettings {
  const b = config.batch ?? {};
  const d = { ...DEFAULT_BATCH, ...batchDefaults };
  const r = config.request ?? {};
  const c = r.concurrency ?? 'adaptive';
  return {
    batch: { max_events: b.max_events ?? d.max_events, max_bytes: b.max_bytes ?? d.max_bytes, timeout_secs: b.timeout_secs ?? d.timeout_secs },
    requestTimeoutMs: (r.timeout_secs ?? 30) * 1000,
    backoff: { initialMs: (r.retry_initial_backoff_secs ?? 1) * 1000, maxMs: (r.retry_max_backoff_secs ?? 30) * 1000 },
    maxRetryMs: (r.retry_max_duration_secs ?? 0) * 1000,
    concurrency: serial ? new FixedConcurrency(1) : c === 'adaptive' ? new AdaptiveConcurrency(now) : new FixedConcurrency(c),
  };
}

/** The sink's buffer as configured (memory by default); corrupt disk records are counted. */
export function sinkBuffer(cfg: CommonSinkConfig['buffer'], id: string, ctx: ComponentContext & { metrics: ComponentMetrics & SinkMetrics }, now: () => number): SinkBuffer {
  return createBuffer(cfg, {
    id,
    dataDir: ctx.dataDir,
    logger: ctx.logger,
    now,
    onCorrupt: (n) => {
      ctx.metrics.corrupt?.(n);
      for (let i = 0; i < n; i++) ctx.metrics.error('buffer_corrupt_record', 'buffer');
    },
  });
}

/** Every contract series of a sink exists from the start (dashboards and alerts see 0, not "no data"). */
export function initSinkMetrics(metrics: ComponentMetrics & SinkMetrics, buffer: SinkBuffer, concurrencyLimit: number): void {
  metrics.received(0, 0);
  metrics.sent(0, 0);
  metrics.buffer(buffer.events, buffer.bytes); // a disk buffer may hold events from before a restart
  metrics.inflight(0);
  metrics.concurrency(concurrencyLimit);
  metrics.initSink?.();
}
