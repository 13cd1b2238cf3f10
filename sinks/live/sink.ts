/**
 * `live` sink: aggregates each batch into the process's shared per-second rollup store (src/live),
 * which the rt-compatible API and the live feed read. Nothing leaves the process, so a send cannot
 * fail; late and too-far-future events are counted as discarded.
 */
import type { ComponentContext } from '../../src/core/component.js';
import type { Event } from '../../src/core/event.js';
import { OK, type SendResult, type SinkDriver } from '../../src/delivery/types.js';
import { acquireLiveStore, releaseLiveStore } from '../../src/live/registry.js';
import type { LiveStore } from '../../src/live/rollup.js';
import type { LiveSinkConfig } from './config.js';

export function buildLiveDriver(config: LiveSinkConfig, ctx: ComponentContext, store: LiveStore, onClose?: () => void): SinkDriver<readonly Event[]> {
  return {
    encode: (events: Event[]) => events,
    async send(events: readonly Event[]): Promise<SendResult> {
      const r = store.ingest(events, config.service_id);
      if (r.late > 0) ctx.metrics.discarded(r.late, 'late');
      if (r.future > 0) ctx.metrics.discarded(r.future, 'future');
      if (r.overflow > 0) ctx.metrics.discarded(r.overflow, 'too_many_services');
      return OK;
    },
    payloadBytes: (events) => {
      let n = 0;
      for (const e of events) n += e.size;
      return n;
    },
    async close() {
      onClose?.();
    },
  };
}

export function buildLiveSink(config: LiveSinkConfig, ctx: ComponentContext): SinkDriver<readonly Event[]> {
  const store = acquireLiveStore({ retentionSecs: config.retention_secs });
  if (store.retentionSecs !== config.retention_secs) {
    ctx.logger.warn({ retention_secs: config.retention_secs, running: store.retentionSecs }, 'live sinks share one rollup store; keeping the first retention_secs');
  }
  return buildLiveDriver(config, ctx, store, () => releaseLiveStore(store));
}
