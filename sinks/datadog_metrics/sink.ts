/**
 * `datadog_metrics` sink: `v2.MetricsApi.submitMetrics` of `@datadog/datadog-api-client` through the
 * shared transport (../datadog_logs/transport.ts). Series are split into parts that stay under the
 * intake's limits (500 KB compressed / 5 MB decompressed: ≤ 2 MB of JSON per part when compressed,
 * ≤ 500 KB uncompressed), sent in order; a 413 splits the part and resends the halves (parts.ts).
 */
import { v2 } from '@datadog/datadog-api-client';
import type { ComponentContext } from '../../src/core/component.js';
import type { Event } from '../../src/core/event.js';
import { HttpClient } from '../../src/delivery/http.js';
import type { SendResult, SinkDriver } from '../../src/delivery/types.js';
import { sendParts, splitBySize } from '../datadog_logs/parts.js';
import { DatadogTransport, callDatadog, datadogConfiguration, siteUrl } from '../datadog_logs/transport.js';
import type { DatadogMetricsConfig } from './config.js';
import { AbsoluteDeltas, MAX_PAYLOAD_BYTES_COMPRESSED, MAX_PAYLOAD_BYTES_PLAIN, MAX_SERIES_PER_PAYLOAD, seriesBytes, toSeries, type Series, type SeriesOptions } from './encode.js';

export interface DatadogMetricsPayload {
  parts: Series[][];
  next: number;
  bytes: number;
}

export function metricsBaseUrl(config: Pick<DatadogMetricsConfig, 'endpoint' | 'site'>): string {
  return config.endpoint ?? siteUrl('api', config.site);
}

export function buildDatadogMetricsSink(config: DatadogMetricsConfig, ctx: ComponentContext): SinkDriver<DatadogMetricsPayload> {
  const http = new HttpClient({ tls: config.tls });
  const transport = new DatadogTransport(http, config.compression_level);
  const api = new v2.MetricsApi(datadogConfiguration(metricsBaseUrl(config), config.api_key, transport));
  const secrets = [config.api_key];
  const contentEncoding = config.compression === 'none' ? undefined : config.compression;
  const maxBytes = contentEncoding ? MAX_PAYLOAD_BYTES_COMPRESSED : MAX_PAYLOAD_BYTES_PLAIN;
  const opts: SeriesOptions = {
    namespace: config.namespace,
    tags: config.tags,
    hostTag: config.host_tag,
    counterType: config.counter_type,
    interval: config.interval_secs,
  };
  const deltas = new AbsoluteDeltas();
  const onSkipped = (n: number): void => {
    for (let i = 0; i < n; i++) ctx.metrics.error('non_finite_value', 'encoding');
  };
  const onSplit = (n: number): void => ctx.logger.debug({ series: n }, 'datadog_metrics: 413, splitting the payload in two');
  const submit = (series: Series[], signal: AbortSignal) =>
    callDatadog(() => api.submitMetrics(contentEncoding ? { body: { series }, contentEncoding } : { body: { series } }), signal, secrets);

  return {
    encode(events: Event[]): DatadogMetricsPayload {
      const { parts, bytes } = splitBySize(toSeries(events, opts, onSkipped, deltas), seriesBytes, MAX_SERIES_PER_PAYLOAD, maxBytes);
      return { parts, next: 0, bytes };
    },
    send(p: DatadogMetricsPayload, signal: AbortSignal): Promise<SendResult> {
      return sendParts(p, (part) => submit(part, signal), onSplit);
    },
    payloadBytes: (p) => p.bytes,
    async close() {
      http.close();
    },
  };
}
