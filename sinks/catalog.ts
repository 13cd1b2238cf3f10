/**
 * Every sink type and how to load its definition. The config registry imports only the types a
 * config names, so an agent does not pay (memory, startup) for the others. Keep in step with
 * index.ts (test/unit/config/registry.test.ts checks both list the same types).
 */
import type { AnySinkDriver, SinkDef } from '../src/delivery/types.js';

type AnySinkDef = SinkDef<any, AnySinkDriver>;

export const sinkLoaders: ReadonlyArray<readonly [string, () => Promise<AnySinkDef>]> = [
  ['http', async () => (await import('./http/index.js')).httpSink],
  ['splunk_hec_logs', async () => (await import('./splunk_hec_logs/index.js')).splunkHecLogsSink],
  ['file', async () => (await import('./file/index.js')).fileSink],
  ['console', async () => (await import('./console/index.js')).consoleSink],
  ['blackhole', async () => (await import('./blackhole/index.js')).blackholeSink],
  ['live', async () => (await import('./live/index.js')).liveSink],
  ['aws_s3', async () => (await import('./aws_s3/index.js')).awsS3Sink],
  ['datadog_logs', async () => (await import('./datadog_logs/index.js')).datadogLogsSink],
  ['datadog_metrics', async () => (await import('./datadog_metrics/index.js')).datadogMetricsSink],
  ['kafka', async () => (await import('./kafka/index.js')).kafkaSink],
  ['fastly', async () => (await import('./fastly/index.js')).fastlySink],
  ['opentelemetry', async () => (await import('./opentelemetry/index.js')).openTelemetrySink],
  ['prometheus_exporter', async () => (await import('./prometheus_exporter/index.js')).prometheusExporterSink],
];
