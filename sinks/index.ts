/** Every sink definition; the config registry collects them (later issues add more). */
import type { AnySinkDriver, SinkDef } from '../src/delivery/types.js';
import { awsS3Sink } from './aws_s3/index.js';
import { blackholeSink } from './blackhole/index.js';
import { consoleSink } from './console/index.js';
import { datadogLogsSink } from './datadog_logs/index.js';
import { datadogMetricsSink } from './datadog_metrics/index.js';
import { fastlySink } from './fastly/index.js';
import { fileSink } from './file/index.js';
import { httpSink } from './http/index.js';
import { kafkaSink } from './kafka/index.js';
import { liveSink } from './live/index.js';
import { openTelemetrySink } from './opentelemetry/index.js';
import { prometheusExporterSink } from './prometheus_exporter/index.js';
import { splunkHecLogsSink } from './splunk_hec_logs/index.js';

export const sinkDefs: SinkDef<any, AnySinkDriver>[] = [httpSink, splunkHecLogsSink, fileSink, consoleSink, blackholeSink, liveSink, awsS3Sink, datadogLogsSink, datadogMetricsSink, kafkaSink, fastlySink, openTelemetrySink, prometheusExporterSink];
