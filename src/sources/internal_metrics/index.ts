/** The `internal_metrics` source: edgetail's own Prometheus metrics as MetricEvents (docs/demo.md#internal_metrics). */
import type { SourceDef } from '../../core/component.js';
import { internalMetricsSchema, type InternalMetricsConfig } from './config.js';
import { InternalMetricsSource } from './source.js';

export const internalMetricsSource: SourceDef<InternalMetricsConfig> = {
  kind: 'source',
  type: 'internal_metrics',
  schema: internalMetricsSchema,
  build: (config, ctx) => new InternalMetricsSource(config, ctx),
};

export { InternalMetricsSource } from './source.js';
export { convertMetrics, DeltaTracker } from './convert.js';
