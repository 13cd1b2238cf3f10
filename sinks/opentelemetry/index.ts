import type { SinkDef } from '../../src/delivery/types.js';
import { openTelemetrySinkSchema, type OpenTelemetrySinkConfig } from './config.js';

export const openTelemetrySink: SinkDef<OpenTelemetrySinkConfig> = {
  kind: 'sink',
  type: 'opentelemetry',
  schema: openTelemetrySinkSchema,
  // The OpenTelemetry Collector's OTLP receiver accepts 20 MiB bodies by default; hosted intakes
  // often far less (a few MiB). 1000 records of edge logs encode to a few hundred KB of protobuf.
  batchDefaults: { max_events: 1000, max_bytes: 4_000_000, timeout_secs: 1 },
  accepts: ['log', 'metric'],
  // The OpenTelemetry libraries load only when a pipeline uses this sink.
  build: async (config, ctx) => (await import('./sink.js')).buildOpenTelemetrySink(config, ctx),
};

export { openTelemetrySinkSchema, type OpenTelemetrySinkConfig } from './config.js';
