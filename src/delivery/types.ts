/**
 * The sink contract. A sink author writes encode + send (and optionally healthcheck); batching,
 * buffering, retries, concurrency, acknowledgement, dead letters and metrics come from the runner
 * in this folder and never repeat inside a sink.
 */
import type { Event } from '../core/event.js';

/** Outcome of one request, classified once by the sink that knows its protocol. */
export type SendResult =
  | { kind: 'ok' }
  | { kind: 'retryable'; reason: string; afterMs?: number }
  | { kind: 'permanent'; reason: string };

export const OK: SendResult = Object.freeze({ kind: 'ok' });

export interface SinkDriver<P = unknown> {
  /** Encodes a batch into a request payload. Throwing marks the batch as permanently failed
   *  (it goes to the dead letter with the error message as the reason). */
  encode(events: Event[]): P | Promise<P>;
  /** Sends one payload. Must not throw for protocol outcomes: classify them as SendResult.
   *  A thrown error is treated as retryable (network failure). */
  send(payload: P, signal: AbortSignal): Promise<SendResult>;
  /** Bytes on the wire, for metrics. */
  payloadBytes?(payload: P): number;
  /** Throws when the endpoint is not healthy. */
  healthcheck?(signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
  /** Forces concurrency 1 (file, console: order matters, no parallelism to gain). */
  readonly serial?: boolean;
}

/** What a sink module exports (sinks/<name>/index.ts); the config registry collects them. */
export interface SinkDef<C = any> {
  kind: 'sink';
  type: string;
  /** Built with sinkSchema() from ./config.ts: common keys + the sink's own. */
  schema: import('zod').ZodType<C>;
  /** Sink-specific batch defaults (protocol limits); missing values come from DEFAULT_BATCH. */
  batchDefaults?: Partial<import('./config.js').BatchDefaults>;
  accepts?: readonly ('log' | 'metric')[];
  build(config: C, ctx: import('../core/component.js').ComponentContext): SinkDriver | Promise<SinkDriver>;
}
