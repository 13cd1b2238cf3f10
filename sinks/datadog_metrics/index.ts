import type { SinkDef } from '../../src/delivery/types.js';
import { datadogMetricsSchema, type DatadogMetricsConfig } from './config.js';

export const datadogMetricsSink: SinkDef<DatadogMetricsConfig> = {
  kind: 'sink',
  type: 'datadog_metrics',
  schema: datadogMetricsSchema,
  batchDefaults: { max_events: 5000, max_bytes: 2_000_000 },
  accepts: ['metric'],
  // The client library loads only when a pipeline uses this sink (keeps an agent's memory small).
  build: async (config, ctx) => (await import('./sink.js')).buildDatadogMetricsSink(config, ctx),
};
