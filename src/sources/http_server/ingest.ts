/**
 * Hands a request's events downstream and waits for the end-to-end acknowledgement: one Finalizer per
 * request, shared by its batches (≤ max_batch_events each); its callback fires when every sink has
 * taken every batch. Each `await emit` is backpressure: a full `block` buffer holds the request.
 */
import type { SourceContext } from '../../core/component.js';
import type { Event } from '../../core/event.js';
import { Finalizer, type BatchStatus } from '../../core/finalizer.js';

/** BatchStatus from the finalizer; `timeout`: not acknowledged within ack_timeout; `rejected`: emit failed. */
export type IngestOutcome = BatchStatus | 'timeout' | 'rejected';

export function ingest(ctx: SourceContext, events: Event[], maxBatch: number, timeoutMs: number): Promise<IngestOutcome> {
  return new Promise<IngestOutcome>((resolve) => {
    let settled = false;
    const settle = (o: IngestOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const timer = setTimeout(() => settle('timeout'), timeoutMs);
    const fin = new Finalizer((status) => settle(status));
    void (async () => {
      const n = events.length;
      for (let s = 0; s < n; s += maxBatch) {
        // Answered already (timeout): the sender will retry the whole batch; stop adding to it.
        if (settled || ctx.signal.aborted) break;
        fin.retain(); // consumed by emit (the topology releases the creator's share on hand-over)
        try {
          await ctx.emit(s === 0 && n <= maxBatch ? events : events.slice(s, s + maxBatch), fin);
        } catch {
          settle('rejected');
          break;
        }
      }
      if (!settled && ctx.signal.aborted) settle('rejected');
      fin.release('delivered'); // our own initial reference
    })();
  });
}
