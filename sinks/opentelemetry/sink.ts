/**
 * `opentelemetry` sink: log events → POST {endpoint}/v1/logs, metric events → {endpoint}/v1/metrics,
 * OTLP/HTTP protobuf (default) or JSON, serialized by @opentelemetry/otlp-transformer from SDK-shaped
 * records (ReadableLogRecord, ResourceMetrics). Batching, retries and dead letters are the runner's;
 * this file classifies the outcome as the OTLP spec says: retry only 429/502/503/504 (honouring
 * Retry-After), any other failure status is permanent; a 200 with partial_success is logged and
 * counted (discarded, reason `rejected_by_receiver`), never retried.
 */
import { JsonLogsSerializer, JsonMetricsSerializer, ProtobufLogsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ComponentContext } from '../../src/core/component.js';
import type { Event, LogEvent, MetricEvent } from '../../src/core/event.js';
import { Secret } from '../../src/core/secret.js';
import { compress, contentEncodingFor } from '../../src/delivery/compress.js';
import { HttpClient, bodyExcerpt, classifyHttpStatus, classifyNetworkError, redact, type HttpResponse } from '../../src/delivery/http.js';
import { OK, type SendResult, type SinkDriver } from '../../src/delivery/types.js';
import { signalUrl, type OpenTelemetrySinkConfig } from './config.js';
import { MetricsEncoder, hrTime } from '../../src/telemetry/otlp-metrics.js';
import { logAttributes, severityOf, type AttributeOptions } from './semconv.js';

export const SCOPE = { name: 'edgetail', version: '0.1.0' };

/** Statuses the OTLP/HTTP spec lets a client retry. */
const RETRYABLE = new Set([429, 502, 503, 504]);

interface Part {
  signal: 'logs' | 'metrics';
  body: Buffer;
  /** Log records or data points in the part. */
  items: number;
}

export interface OtlpPayload {
  parts: Part[];
  /** Parts before this index were accepted (a retry resends only the rest). */
  next: number;
  bytes: number;
}

/** Classifies an OTLP/HTTP response status (bodies are only read for reasons). */
export function classifyOtlpStatus(res: Pick<HttpResponse, 'status' | 'headers' | 'body'>, secrets: readonly Secret[], now = Date.now()): SendResult {
  const r = classifyHttpStatus(res.status, res.headers, res.body, { secrets, now });
  if (r.kind === 'ok') return OK;
  if (RETRYABLE.has(res.status)) return r.kind === 'retryable' ? r : { kind: 'retryable', reason: r.reason };
  return { kind: 'permanent', reason: r.reason };
}

/** Header values, plus the credential part of `Scheme credentials` values (a server may echo only that). */
export function headerSecrets(headers: Record<string, Secret>): Secret[] {
  const out: Secret[] = [];
  for (const v of Object.values(headers)) {
    out.push(v);
    const m = /^[A-Za-z][\w-]*\s+(\S+)$/.exec(v.reveal());
    if (m) out.push(new Secret(m[1]!));
  }
  return out;
}

export function buildOpenTelemetrySink(config: OpenTelemetrySinkConfig, ctx: ComponentContext): SinkDriver<OtlpPayload> {
  const json = config.protocol === 'http/json';
  const logsSer = json ? JsonLogsSerializer : ProtobufLogsSerializer;
  const metricsSer = json ? JsonMetricsSerializer : ProtobufMetricsSerializer;
  const resource = resourceFromAttributes({ 'service.name': 'edgetail', ...config.resource });
  const metricsEncoder = new MetricsEncoder({ resource, scope: SCOPE, counterMode: config.counter_mode });
  const attrOpts: AttributeOptions = {
    prefix: config.attribute_prefix,
    only: config.encoding.only_fields?.length ? new Set(config.encoding.only_fields) : undefined,
    except: config.encoding.except_fields?.length ? new Set(config.encoding.except_fields) : undefined,
  };
  const urls = { logs: config.logs_endpoint ?? signalUrl(config.endpoint, 'logs'), metrics: config.metrics_endpoint ?? signalUrl(config.endpoint, 'metrics') };
  const headers: Record<string, string> = { 'content-type': json ? 'application/json' : 'application/x-protobuf' };
  const enc = contentEncodingFor(config.compression);
  if (enc) headers['content-encoding'] = enc;
  for (const [k, v] of Object.entries(config.headers)) headers[k.toLowerCase()] = v.reveal();
  const secrets = headerSecrets(config.headers);
  const client = new HttpClient({ tls: config.tls });
  const onSkipped = (n: number): void => {
    ctx.metrics.discarded(n, 'invalid_metric');
    ctx.metrics.error('invalid_metric', 'encoding');
  };

  function toLogRecords(logs: LogEvent[], observed: [number, number]): ReadableLogRecord[] {
    const out: ReadableLogRecord[] = new Array(logs.length);
    for (let i = 0; i < logs.length; i++) {
      const ev = logs[i]!;
      const sev = severityOf(ev.fields.status);
      out[i] = {
        hrTime: hrTime(ev.timestamp),
        hrTimeObserved: observed,
        severityNumber: sev.number,
        severityText: sev.text,
        body: ev.raw,
        resource,
        instrumentationScope: SCOPE,
        attributes: logAttributes(ev, attrOpts),
        droppedAttributesCount: 0,
      };
    }
    return out;
  }

  async function sendPart(part: Part, signal: AbortSignal): Promise<SendResult> {
    let res: HttpResponse;
    try {
      res = await client.request({ method: 'POST', url: urls[part.signal], headers, body: part.body, signal });
    } catch (err) {
      return classifyNetworkError(err, signal, secrets);
    }
    const r = classifyOtlpStatus(res, secrets);
    if (r.kind === 'ok') reportPartialSuccess(part, res.body);
    return r;
  }

  function reportPartialSuccess(part: Part, body: Buffer): void {
    if (body.length === 0) return;
    let rejected = 0;
    let message = '';
    try {
      const r = (part.signal === 'logs' ? logsSer : metricsSer).deserializeResponse(body) as {
        partialSuccess?: { rejectedLogRecords?: number | string; rejectedDataPoints?: number | string; errorMessage?: string };
      };
      const ps = r.partialSuccess;
      if (!ps) return;
      rejected = Number(ps.rejectedLogRecords ?? ps.rejectedDataPoints ?? 0);
      message = ps.errorMessage ?? '';
    } catch (err) {
      ctx.logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'OTLP response body did not decode; treated as full success');
      return;
    }
    if (rejected > 0) {
      ctx.metrics.discarded(rejected, 'rejected_by_receiver');
      ctx.metrics.error('partial_success', 'sending');
    }
    if (rejected > 0 || message) {
      ctx.logger.warn({ signal: part.signal, rejected, sent: part.items, message: redact(bodyExcerpt(message, 500), secrets) }, 'OTLP partial success: the receiver rejected part of the export (not retried)');
    }
  }

  return {
    async encode(events: Event[]): Promise<OtlpPayload> {
      const logs: LogEvent[] = [];
      const metrics: MetricEvent[] = [];
      for (let i = 0; i < events.length; i++) {
        const ev = events[i]!;
        if (ev.type === 'log') logs.push(ev);
        else metrics.push(ev);
      }
      const parts: Part[] = [];
      if (logs.length > 0) {
        const bytes = logsSer.serializeRequest(toLogRecords(logs, hrTime(Date.now())));
        if (!bytes) throw new Error('OTLP logs serializer returned nothing');
        parts.push({ signal: 'logs', body: await compress(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), config), items: logs.length });
      }
      if (metrics.length > 0) {
        const { metrics: rm, points } = metricsEncoder.toResourceMetrics(metrics, onSkipped);
        if (points > 0) {
          const bytes = metricsSer.serializeRequest(rm);
          if (!bytes) throw new Error('OTLP metrics serializer returned nothing');
          parts.push({ signal: 'metrics', body: await compress(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), config), items: points });
        }
      }
      return { parts, next: 0, bytes: parts.reduce((n, p) => n + p.body.length, 0) };
    },
    async send(p: OtlpPayload, signal: AbortSignal): Promise<SendResult> {
      while (p.next < p.parts.length) {
        const r = await sendPart(p.parts[p.next]!, signal);
        if (r.kind !== 'ok') return r;
        p.next++;
      }
      return OK;
    },
    payloadBytes: (p) => p.bytes,
    async close() {
      client.close();
    },
  };
}
