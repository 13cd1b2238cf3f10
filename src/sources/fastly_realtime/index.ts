/** The `fastly_realtime` source: Fastly real-time analytics (or an rt-compatible API) as MetricEvents. */
import type { SourceDef } from '../../core/component.js';
import { fastlyRealtimeSchema, type FastlyRealtimeConfig } from './config.js';
import { FastlyRealtimeSource } from './source.js';

export const fastlyRealtimeSource: SourceDef<FastlyRealtimeConfig> = {
  kind: 'source',
  type: 'fastly_realtime',
  schema: fastlyRealtimeSchema,
  build: (config, ctx) => new FastlyRealtimeSource(config, ctx),
};

export { FastlyRealtimeSource } from './source.js';
