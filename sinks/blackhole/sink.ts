/**
 * `blackhole` sink: accepts and discards everything, counting events and bytes (event sizes). For
 * benchmarks and for testing a pipeline without a destination. Encoding does no work at all.
 */
import type { ComponentContext } from '../../src/core/component.js';
import type { Event } from '../../src/core/event.js';
import { OK, type SinkDriver } from '../../src/delivery/types.js';
import type { BlackholeSinkConfig } from './config.js';

export interface BlackholePayload {
  events: number;
  bytes: number;
}

export interface BlackholeDriver extends SinkDriver<BlackholePayload> {
  /** Totals since build. */
  readonly totals: { events: number; bytes: number };
}

export function buildBlackholeSink(config: BlackholeSinkConfig, ctx: ComponentContext): BlackholeDriver {
  const totals = { events: 0, bytes: 0 };
  let timer: NodeJS.Timeout | undefined;
  if (config.print_interval_secs > 0) {
    let lastEvents = 0;
    let lastAt = Date.now();
    timer = setInterval(() => {
      const now = Date.now();
      const secs = (now - lastAt) / 1000;
      ctx.logger.info({ events: totals.events, bytes: totals.bytes, events_per_sec: Math.round((totals.events - lastEvents) / secs) }, 'blackhole collected events');
      lastEvents = totals.events;
      lastAt = now;
    }, config.print_interval_secs * 1000);
    timer.unref();
  }
  return {
    totals,
    encode(events: Event[]): BlackholePayload {
      let bytes = 0;
      for (let i = 0; i < events.length; i++) bytes += events[i]!.size;
      return { events: events.length, bytes };
    },
    async send(p: BlackholePayload) {
      totals.events += p.events;
      totals.bytes += p.bytes;
      return OK;
    },
    payloadBytes: (p) => p.bytes,
    async close() {
      if (timer) clearInterval(timer);
    },
  };
}
