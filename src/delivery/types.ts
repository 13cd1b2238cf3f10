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

/**
 * Streaming sinks only (aws_s3 multipart objects that stay open across batches): the request went
 * through, but the batch is durable only once `settled` resolves — `ok` (object complete: the
 * finalizers are released), `retryable` (the object was abandoned: the batch is sent again, after
 * `afterMs`) or `permanent` (dead letter). The request slot is freed at once. `settled` must not
 * reject and never resolves to another `accepted`.
 */
export interface AcceptedResult {
  kind: 'accepted';
  settled: Promise<SendResult>;
}

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

/**
 * A sink whose objects stay open across batches (aws_s3 multipart): send() may answer `accepted`,
 * and flush() closes what is open. Same contract as SinkDriver otherwise.
 */
export interface StreamingSinkDriver<P = unknown> extends Omit<SinkDriver<P>, 'send'> {
  send(payload: P, signal: AbortSignal): Promise<SendResult | AcceptedResult>;
  /**
   * Closes everything open now (completes the open multipart objects), so the `accepted`
   * batches settle. The runner calls it when draining and when its buffer is full of
   * accepted-but-unsettled batches. Must not throw; outcomes arrive through `settled`.
   */
  flush(): void;
}

export type AnySinkDriver<P = any> = SinkDriver<P> | StreamingSinkDriver<P>;

/** What a sink module exports (sinks/<name>/index.ts); the config registry collects them. */
export interface SinkDef<C = any, D extends AnySinkDriver = SinkDriver> {
  kind: 'sink';
  type: string;
  /** Built with sinkSchema() from ./config.ts: common keys + the sink's own. */
  schema: import('zod').ZodType<C>;
  /** Sink-specific batch defaults (protocol limits); missing values come from DEFAULT_BATCH. */
  batchDefaults?: Partial<import('./config.js').BatchDefaults>;
  accepts?: readonly ('log' | 'metric')[];
  build(config: C, ctx: import('../core/component.js').ComponentContext): D | Promise<D>;
}
