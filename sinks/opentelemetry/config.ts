/**
 * `opentelemetry` sink config: common sink keys + endpoint (base URL; /v1/logs and /v1/metrics are
 * appended, as the OpenTelemetry SDKs do with OTEL_EXPORTER_OTLP_ENDPOINT), protocol, headers,
 * resource attributes, counter_mode, tls.
 */
import { z, httpUrl, secret, tlsClient } from '../../src/core/schema.js';
import { sinkSchema } from '../../src/delivery/config.js';

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'expected a valid header name' });

export const openTelemetrySinkSchema = sinkSchema({
  endpoint: httpUrl().default('http://127.0.0.1:4318'),
  /** Overrides for the per-signal URLs (full URLs, nothing appended), as OTEL_EXPORTER_OTLP_LOGS_ENDPOINT. */
  logs_endpoint: httpUrl().optional(),
  metrics_endpoint: httpUrl().optional(),
  protocol: z.enum(['http/protobuf', 'http/json'], { error: 'expected http/protobuf or http/json' }).default('http/protobuf'),
  /** Header values are secrets (API keys of hosted OTLP intakes travel in headers). */
  headers: z.record(headerName, secret(), { error: 'expected a map of header names to values' }).default({}),
  /** Resource attributes of every export (service.name defaults to edgetail). */
  resource: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]), { error: 'expected a map of attribute names to values' }).default({}),
  /**
   * How counters and histograms are read: auto (default) — each event says (`absolute`: running
   * totals, as internal_metrics and prometheus_scrape emit by default → cumulative; otherwise
   * increments, as aggregate and fastly_realtime emit → delta); absolute / incremental force one.
   */
  counter_mode: z.enum(['auto', 'absolute', 'incremental'], { error: 'expected auto, absolute or incremental' }).default('auto'),
  /** Log fields without a semantic-convention name keep their edgetail name, after this prefix. */
  attribute_prefix: z.string().default(''),
  tls: tlsClient().optional(),
}).superRefine((c, ctx) => {
  for (const h of Object.keys(c.headers)) {
    const l = h.toLowerCase();
    if (/[\r\n\0]/.test(c.headers[h]!.reveal())) ctx.addIssue({ code: 'custom', path: ['headers', h], message: 'header values must not contain line breaks' });
    if (l === 'content-type' || l === 'content-encoding' || l === 'content-length') {
      ctx.addIssue({ code: 'custom', path: ['headers', h], message: `${h} is set by the sink (see protocol and compression)` });
    }
  }
  if (c.encoding.codec !== 'ndjson') {
    ctx.addIssue({ code: 'custom', path: ['encoding', 'codec'], message: 'the OTLP wire format is set by protocol (http/protobuf | http/json); encoding only takes except_fields / only_fields here' });
  }
});

export type OpenTelemetrySinkConfig = z.infer<typeof openTelemetrySinkSchema>;

/** `{base}/v1/{signal}`, with the base's own path kept (as the SDKs do). */
export function signalUrl(base: string, signal: 'logs' | 'metrics'): string {
  return `${base.replace(/\/+$/, '')}/v1/${signal}`;
}
