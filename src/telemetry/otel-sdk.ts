/**
 * The OpenTelemetry SDK part of self-telemetry (loaded only when it is on, see ./otel.ts):
 * - traces: `edgetail.sink.batch` spans (one per batch a sink runner delivers: encode → settled,
 *   outcome delivered | dead_letter | aborted) with an `edgetail.sink.request` child per attempt;
 * - metrics: edgetail's own Prometheus registry mirrored to OTLP through a MetricProducer (the same
 *   numbers /metrics shows; counters cumulative), exported every export_interval_secs.
 * pino stays the logger; header values are Secrets and never logged.
 */
import { SpanKind, SpanStatusCode, context, trace, type Span } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { PeriodicExportingMetricReader, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Logger } from '../core/component.js';
import type { OpenTelemetrySelfConfig } from '../config/schema.js';
import { setDeliveryTracer, type BatchTrace, type DeliveryTracer } from '../delivery/tracing.js';
import { convertMetrics } from '../sources/internal_metrics/convert.js';
import type { Telemetry } from './metrics.js';
import type { Env, SelfTelemetry } from './otel.js';
import { MetricsEncoder } from './otlp-metrics.js';

const SCOPE = { name: 'edgetail', version: '0.1.0' };

function signalUrl(base: string | undefined, signal: 'traces' | 'metrics'): string | undefined {
  return base ? `${base.replace(/\/+$/, '')}/v1/${signal}` : undefined;
}

export function deliveryTracerFor(tracer: ReturnType<typeof trace.getTracer>): DeliveryTracer {
  return {
    batch(sinkId, sinkType, events, bytes): BatchTrace {
      const span: Span = tracer.startSpan('edgetail.sink.batch', {
        kind: SpanKind.INTERNAL,
        attributes: { 'edgetail.component_id': sinkId, 'edgetail.component_type': sinkType, 'edgetail.batch.events': events, 'edgetail.batch.bytes': bytes },
      });
      const parent = trace.setSpan(context.active(), span);
      return {
        request(attempt) {
          const r = tracer.startSpan('edgetail.sink.request', { kind: SpanKind.CLIENT, attributes: { 'edgetail.component_id': sinkId, 'edgetail.attempt': attempt } }, parent);
          return {
            end(outcome, reason) {
              r.setAttribute('edgetail.outcome', outcome);
              if (outcome !== 'ok') r.setStatus({ code: SpanStatusCode.ERROR, ...(reason ? { message: reason } : {}) });
              r.end();
            },
          };
        },
        end(outcome, reason) {
          span.setAttribute('edgetail.batch.outcome', outcome);
          if (outcome === 'dead_letter') span.setStatus({ code: SpanStatusCode.ERROR, ...(reason ? { message: reason } : {}) });
          span.end();
        },
      };
    },
  };
}

/** edgetail's prom-client registry as an OTLP MetricProducer. */
export function registryProducer(telemetry: Telemetry): MetricProducer {
  const encoder = new MetricsEncoder({ resource: resourceFromAttributes({}), scope: SCOPE, counterMode: 'absolute' });
  let n = 0;
  return {
    async collect() {
      const events = convertMetrics((await telemetry.registry.getMetricsAsJSON()) as never, { source: 'self', idPrefix: `self:${n++}:`, timestamp: Date.now(), namespace: undefined });
      const { metrics } = encoder.toResourceMetrics(events, () => {});
      return { resourceMetrics: metrics, errors: [] };
    },
  };
}

export async function startOtelSdk(cfg: OpenTelemetrySelfConfig, env: Env, telemetry: Telemetry, logger: Logger): Promise<SelfTelemetry> {
  const protocol = cfg.protocol ?? (env.OTEL_EXPORTER_OTLP_PROTOCOL === 'http/json' ? 'http/json' : 'http/protobuf');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg.headers)) headers[k] = v.reveal();
  const common = Object.keys(headers).length > 0 ? { headers } : {};
  const proto = protocol === 'http/protobuf';
  const traceMod = proto ? await import('@opentelemetry/exporter-trace-otlp-proto') : await import('@opentelemetry/exporter-trace-otlp-http');
  const metricMod = proto ? await import('@opentelemetry/exporter-metrics-otlp-proto') : await import('@opentelemetry/exporter-metrics-otlp-http');
  const tUrl = signalUrl(cfg.endpoint, 'traces');
  const mUrl = signalUrl(cfg.endpoint, 'metrics');
  const reader = cfg.metrics
    ? new PeriodicExportingMetricReader({
        exporter: new metricMod.OTLPMetricExporter({ ...common, ...(mUrl ? { url: mUrl } : {}) }),
        exportIntervalMillis: cfg.export_interval_secs * 1000,
        exportTimeoutMillis: Math.min(30_000, cfg.export_interval_secs * 1000),
        metricProducers: [registryProducer(telemetry)],
      })
    : undefined;
  const sdk = new NodeSDK({
    ...(cfg.service_name ? { serviceName: cfg.service_name } : env.OTEL_SERVICE_NAME ? {} : { serviceName: 'edgetail' }),
    ...(cfg.traces ? { traceExporter: new traceMod.OTLPTraceExporter({ ...common, ...(tUrl ? { url: tUrl } : {}) }) } : { spanProcessors: [] }),
    ...(reader ? { metricReaders: [reader] } : {}),
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  if (cfg.traces) setDeliveryTracer(deliveryTracerFor(trace.getTracer(SCOPE.name, SCOPE.version)));
  logger.info({ protocol, endpoint: cfg.endpoint ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'default', traces: cfg.traces, metrics: cfg.metrics }, 'self-telemetry: exporting over OTLP');
  return {
    async shutdown() {
      setDeliveryTracer(undefined);
      await sdk.shutdown().catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'self-telemetry shutdown failed'));
    },
  };
}
