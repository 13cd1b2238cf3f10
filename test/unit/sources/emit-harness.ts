/** A SourceContext whose emit records batches and holds their finalizers (a fake topology with one sink). */
import type { SourceContext } from '../../../src/core/component.js';
import type { LogEvent } from '../../../src/core/event.js';
import type { BatchStatus, Finalizer } from '../../../src/core/finalizer.js';
import { testContext, type CountingMetrics } from '../../helpers/context.js';

export interface Batch {
  events: LogEvent[];
  finalizer: Finalizer | undefined;
  released: boolean;
}

export interface EmitHarness {
  ctx: SourceContext;
  metrics: CountingMetrics;
  batches: Batch[];
  events(): LogEvent[];
  /** Releases every held batch with `status` (the sink's share). */
  releaseAll(status?: BatchStatus): void;
  /** When set, emitted batches are released at once with this status. */
  auto: BatchStatus | undefined;
  /** When set, emit rejects with this error. */
  failEmit: Error | undefined;
  abort: AbortController;
}

/** `auto`: the status every batch is released with at once, or 'hold' to keep them until releaseAll. */
export function emitHarness(id: string, type: string, auto: BatchStatus | 'hold' = 'delivered'): EmitHarness {
  const base = testContext(id, type);
  const abort = new AbortController();
  const h: EmitHarness = {
    ctx: {
      ...base,
      signal: abort.signal,
      emit: async (events, finalizer) => {
        if (h.failEmit) throw h.failEmit;
        const b: Batch = { events: events as LogEvent[], finalizer, released: false };
        h.batches.push(b);
        if (h.auto !== undefined) {
          b.released = true;
          finalizer?.release(h.auto);
        }
      },
    },
    metrics: base.metrics,
    batches: [],
    events: () => h.batches.flatMap((b) => b.events),
    releaseAll(status = 'delivered') {
      for (const b of h.batches) {
        if (b.released) continue;
        b.released = true;
        b.finalizer?.release(status);
      }
    },
    auto: auto === 'hold' ? undefined : auto,
    failEmit: undefined,
    abort,
  };
  return h;
}
