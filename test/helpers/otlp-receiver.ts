/**
 * A strict OTLP/HTTP receiver for sink tests. It decodes real OTLP protobuf with protobufjs and the
 * OpenTelemetry message definitions in test/fixtures/otlp-proto/ (and OTLP/JSON through the same
 * message types), gunzips `Content-Encoding: gzip`, and keeps every log record and metric of the
 * requests it accepted. Anything malformed (unknown path or content type, bad gzip, a body that does
 * not decode, an empty export) gets 400/404/415 so that a sink bug shows up.
 *
 * Faults: `respondWith(...)` queues responses for the next requests (their data is NOT recorded);
 * `partialSuccess` makes accepted requests answer with a partial success (their data IS recorded).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { repoRoot } from './cli.js';

let rootCache: protobuf.Root | undefined;
/** The OTLP message types, loaded once from the .proto files. */
export function otlpRoot(): protobuf.Root {
  if (rootCache) return rootCache;
  const dir = join(repoRoot(), 'test', 'fixtures', 'otlp-proto');
  const root = new protobuf.Root();
  // Imports are relative to the proto root ("opentelemetry/proto/…"), as protoc's -I would resolve them.
  root.resolvePath = (_origin, target) => join(dir, target);
  root.loadSync(['opentelemetry/proto/collector/logs/v1/logs_service.proto', 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto']);
  root.resolveAll();
  return (rootCache = root);
}

export interface OtlpLogRecord {
  timeUnixNano: number;
  observedTimeUnixNano: number;
  severityNumber: number | undefined;
  severityText: string | undefined;
  body: unknown;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope: string | undefined;
}

export interface OtlpDataPoint {
  attributes: Record<string, unknown>;
  value?: number;
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
  startTimeUnixNano: number;
  timeUnixNano: number;
}

export interface OtlpMetric {
  name: string;
  type: 'gauge' | 'sum' | 'histogram';
  /** 1 delta, 2 cumulative (sums and histograms). */
  temporality: number | undefined;
  isMonotonic: boolean | undefined;
  points: OtlpDataPoint[];
  resource: Record<string, unknown>;
}

export interface OtlpRequestInfo {
  path: string;
  status: number;
  headers: IncomingHttpHeaders;
  /** Log records or data points in the request (0 when it did not decode). */
  items: number;
}

export interface CannedResponse {
  status: number;
  retryAfter?: string;
  body?: string;
}

export interface OtlpReceiver {
  url: string;
  requests: OtlpRequestInfo[];
  logs: OtlpLogRecord[];
  metrics: OtlpMetric[];
  /** Answers the next requests with these, in order (the requests' data is not recorded); status 200 = accept normally. */
  respondWith(...responses: CannedResponse[]): void;
  /** When set, accepted requests answer 200 with this partial success. */
  partialSuccess: { rejected: number; message: string } | undefined;
  close(): Promise<void>;
}

type AnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: Uint8Array;
};
type KeyValue = { key: string; value?: AnyValue };

export function anyValue(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue !== undefined) return attrs(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return Buffer.from(v.bytesValue);
  return undefined;
}

export function attrs(kvs: KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs ?? []) {
    if (kv.key in out) throw new Error(`duplicate attribute key ${kv.key}`);
    out[kv.key] = anyValue(kv.value);
  }
  return out;
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: Number, bytes: Buffer, defaults: false, oneofs: true, arrays: true };

/** Decodes a request body (protobuf or OTLP/JSON) into the plain object of its message type. */
export function decodeRequest(typeName: string, body: Buffer, contentType: string): Record<string, unknown> {
  const type = otlpRoot().lookupType(typeName);
  if (contentType.startsWith('application/x-protobuf')) return type.toObject(type.decode(body), TO_OBJECT);
  if (contentType.startsWith('application/json')) {
    // OTLP/JSON: lowerCamelCase keys, 64-bit integers as strings, enums as integers — fromObject takes all three.
    const obj = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('OTLP/JSON body is not an object');
    return type.toObject(type.fromObject(obj), TO_OBJECT);
  }
  throw Object.assign(new Error(`unsupported content type ${contentType}`), { status: 415 });
}

function logsOf(req: Record<string, unknown>): OtlpLogRecord[] {
  const out: OtlpLogRecord[] = [];
  for (const rl of (req.resourceLogs ?? []) as Array<{ resource?: { attributes?: KeyValue[] }; scopeLogs?: Array<{ scope?: { name?: string }; logRecords?: Array<Record<string, unknown>> }> }>) {
    const resource = attrs(rl.resource?.attributes);
    for (const sl of rl.scopeLogs ?? []) {
      for (const r of sl.logRecords ?? []) {
        out.push({
          timeUnixNano: Number(r.timeUnixNano ?? 0),
          observedTimeUnixNano: Number(r.observedTimeUnixNano ?? 0),
          severityNumber: r.severityNumber as number | undefined,
          severityText: r.severityText as string | undefined,
          body: anyValue(r.body as AnyValue | undefined),
          attributes: attrs(r.attributes as KeyValue[] | undefined),
          resource,
          scope: sl.scope?.name,
        });
      }
    }
  }
  return out;
}

type RawPoint = { attributes?: KeyValue[]; asDouble?: number; asInt?: number; count?: number; sum?: number; bucketCounts?: number[]; explicitBounds?: number[]; startTimeUnixNano?: number; timeUnixNano?: number };

function point(p: RawPoint): OtlpDataPoint {
  const d: OtlpDataPoint = { attributes: attrs(p.attributes), startTimeUnixNano: Number(p.startTimeUnixNano ?? 0), timeUnixNano: Number(p.timeUnixNano ?? 0) };
  if (p.asDouble !== undefined) d.value = p.asDouble;
  if (p.asInt !== undefined) d.value = Number(p.asInt);
  if (p.count !== undefined) d.count = Number(p.count);
  if (p.sum !== undefined) d.sum = p.sum;
  if (p.bucketCounts) d.bucketCounts = p.bucketCounts.map(Number);
  if (p.explicitBounds) d.explicitBounds = p.explicitBounds;
  return d;
}

function metricsOf(req: Record<string, unknown>): OtlpMetric[] {
  const out: OtlpMetric[] = [];
  type Data = { dataPoints?: RawPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  for (const rm of (req.resourceMetrics ?? []) as Array<{ resource?: { attributes?: KeyValue[] }; scopeMetrics?: Array<{ metrics?: Array<{ name: string; gauge?: Data; sum?: Data; histogram?: Data }> }> }>) {
    const resource = attrs(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const type = m.gauge ? 'gauge' : m.sum ? 'sum' : m.histogram ? 'histogram' : undefined;
        if (!type) throw new Error(`metric ${m.name} has no data`);
        const data = (m.gauge ?? m.sum ?? m.histogram)!;
        out.push({ name: m.name, type, temporality: data.aggregationTemporality, isMonotonic: data.isMonotonic, points: (data.dataPoints ?? []).map(point), resource });
      }
    }
  }
  return out;
}

const PATHS: Record<string, { req: string; res: string; rejectedKey: string }> = {
  '/v1/logs': { req: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest', res: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse', rejectedKey: 'rejectedLogRecords' },
  '/v1/metrics': { req: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest', res: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse', rejectedKey: 'rejectedDataPoints' },
};

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const queue: CannedResponse[] = [];
  const r: OtlpReceiver = {
    url: '',
    requests: [],
    logs: [],
    metrics: [],
    respondWith: (...responses) => void queue.push(...responses),
    partialSuccess: undefined,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      const info: OtlpRequestInfo = { path, status: 0, headers: req.headers, items: 0 };
      r.requests.push(info);
      const answer = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
        info.status = status;
        res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : String(req.headers['content-type']), ...headers });
        res.end(body);
      };
      const spec = PATHS[path];
      if (req.method !== 'POST') return answer(405, 'POST only');
      if (!spec) return answer(404, `unknown path ${path}`);
      let body = Buffer.concat(chunks);
      const contentType = String(req.headers['content-type'] ?? '');
      let decoded: Record<string, unknown>;
      try {
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        else if (req.headers['content-encoding'] !== undefined) return answer(415, 'unsupported content-encoding');
        decoded = decodeRequest(spec.req, body, contentType);
      } catch (err) {
        return answer((err as { status?: number }).status ?? 400, `cannot decode: ${(err as Error).message}`);
      }
      const logs = path === '/v1/logs' ? logsOf(decoded) : [];
      const metrics = path === '/v1/metrics' ? metricsOf(decoded) : [];
      info.items = logs.length + metrics.reduce((n, m) => n + m.points.length, 0);
      if (info.items === 0) return answer(400, 'empty export request');
      const canned = queue.shift();
      if (canned && canned.status !== 200) return answer(canned.status, canned.body ?? `canned ${canned.status}`, canned.retryAfter ? { 'retry-after': canned.retryAfter } : {});
      r.logs.push(...logs);
      r.metrics.push(...metrics);
      const resType = otlpRoot().lookupType(spec.res);
      const resObj = r.partialSuccess ? { partialSuccess: { [spec.rejectedKey]: r.partialSuccess.rejected, errorMessage: r.partialSuccess.message } } : {};
      if (contentType.startsWith('application/json')) return answer(200, Buffer.from(JSON.stringify(resObj)));
      return answer(200, Buffer.from(resType.encode(resType.fromObject(resObj)).finish()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return r;
}
