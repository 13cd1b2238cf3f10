import type { SinkDef } from '../../src/delivery/types.js';
import { datadogMetricsSchema, type DatadogMetricsConfig } from './config.js';
import { buildDatadogMetricsSink } from './sink.js';

export const datadogMetricsSink: SinkDef<DatadogMetricsConfig> = {
  kind: 'sink',
  type: 'datadog_metrics',
  schema: datadogMetricsSchema,
  batchDefaults: { max_events: 5000, max_bytes: 2_000_000 },
  accepts: ['metric'],
  build: buildDatadogMetricsSink,
};
