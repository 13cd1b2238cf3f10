import type { SinkDef } from '../../src/delivery/types.js';
import { prometheusExporterSchema, type PrometheusExporterConfig } from './config.js';

export const prometheusExporterSink: SinkDef<PrometheusExporterConfig> = {
  kind: 'sink',
  type: 'prometheus_exporter',
  schema: prometheusExporterSchema,
  // Updating the store is cheap: small batches keep /metrics fresh.
  batchDefaults: { max_events: 10_000, timeout_secs: 0.1 },
  accepts: ['metric'],
  build: async (config, ctx) => (await import('./sink.js')).buildPrometheusExporter(config, ctx),
};

export { prometheusExporterSchema, type PrometheusExporterConfig } from './config.js';
