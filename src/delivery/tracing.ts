/**
 * Optional tracing of sink batches and requests. The runner calls these hooks; nothing is traced
 * unless self-telemetry (src/telemetry/otel.ts) installs a tracer, so the default costs one
 * `undefined` check per batch and nothing is loaded.
 */
import type { ResponseOutcome } from './concurrency.js';

export type BatchOutcome = 'delivered' | 'dead_letter' | 'aborted';

export interface RequestTrace {
  end(outcome: ResponseOutcome, reason: string | undefined): void;
}

export interface BatchTrace {
  /** One send attempt (0 = the first). */
  request(attempt: number): RequestTrace;
  end(outcome: BatchOutcome, reason?: string): void;
}

export interface DeliveryTracer {
  batch(sinkId: string, sinkType: string, events: number, bytes: number): BatchTrace;
}

let current: DeliveryTracer | undefined;

export function setDeliveryTracer(t: DeliveryTracer | undefined): void {
  current = t;
}

export function deliveryTracer(): DeliveryTracer | undefined {
  return current;
}
