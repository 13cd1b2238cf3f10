/**
 * A strict Datadog intake for sink tests (PROTOCOLS.md "Datadog"), one server for both APIs:
 *
 * - `POST /api/v2/logs`: `DD-API-KEY` must equal the expected key (else 403); body gzip/deflate per
 *   `Content-Encoding` (bad stream → 400); > 5 MiB uncompressed → 413; must be a JSON array (else 400)
 *   of 1..1000 objects each with a string `message` (else 400); 202 `{}`. Entries whose JSON exceeds
 *   1 MiB are accepted but counted in `oversizeEntries` (real Datadog truncates them silently).
 * - `POST /api/v2/series`: key check (403); > 5 MiB decompressed or > 500 KiB compressed → 413;
 *   `{"series":[…]}` where each series has a string `metric`, `type` in 0..3, non-empty `points` of
 *   `{timestamp: integer seconds, value: finite number}`, optional `tags` (strings) and `resources`
 *   (`{name, type}` strings) (else 400); 202 `{"errors":[]}`.
 * - Anything else: 404 (unknown path) or 405 (not POST).
 *
 * Every accepted log entry and series is recorded. Faults are switched at runtime with setFault (a
 * status for `forMs`, Retry-After, a delay, a status only for payloads over N entries); a faulted
 * request records nothing.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

export const LOGS_MAX_PAYLOAD = 5 * 1024 * 1024;
export const LOGS_MAX_ENTRY = 1024 * 1024;
export const LOGS_MAX_ENTRIES = 1000;
export const SERIES_MAX_COMPRESSED = 500 * 1024;
export const SERIES_MAX_DECOMPRESSED = 5 * 1024 * 1024;

export interface DdFault {
  status?: number;
  forMs?: number;
  retryAfterSecs?: number;
  delayMs?: number;
  /** Only payloads with more than this many log entries get the fault status (e.g. to force 413 → split). */
  overEntries?: number;
  /** The first `skip` requests after setFault pass unfaulted. */
  skip?: number;
  /** Body of the faulted response (default `{"errors":["injected <status>"]}`). */
  body?: string;
}

export interface DdRequest {
  path: string;
  headers: IncomingHttpHeaders;
  status: number;
  entries: number;
  /** Bytes on the wire / after decompression. */
  wireBytes: number;
  bytes: number;
  /** Arrival time (epoch ms): retries can be checked against Retry-After. */
  at: number;
}

export interface DdSeries {
  metric: string;
  type: number;
  points: Array<{ timestamp: number; value: number }>;
  tags?: string[];
  resources?: Array<{ name: string; type: string }>;
  interval?: number;
}

export interface DatadogReceiver {
  url: string;
  apiKey: string;
  logs: Record<string, unknown>[];
  series: DdSeries[];
  requests: DdRequest[];
  oversizeEntries: number;
  setFault(f: DdFault): void;
  clearFault(): void;
  reset(): void;
  close(): Promise<void>;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Why a series payload is invalid, or undefined when it is valid. */
function seriesProblem(body: unknown): string | undefined {
  if (!isObj(body) || !Array.isArray(body.series)) return 'expected {"series":[…]}';
  for (const s of body.series) {
    if (!isObj(s)) return 'series must be objects';
    if (typeof s.metric !== 'string' || s.metric === '') return 'series.metric must be a non-empty string';
    if (s.type !== undefined && (typeof s.type !== 'number' || ![0, 1, 2, 3].includes(s.type))) return 'series.type must be 0..3';
    if (!Array.isArray(s.points) || s.points.length === 0) return 'series.points must be a non-empty array';
    for (const p of s.points) {
      if (!isObj(p) || !Number.isInteger(p.timestamp) || typeof p.value !== 'number' || !Number.isFinite(p.value)) return 'points need integer timestamp (s) and a finite value';
      if ((p.timestamp as number) > 1e11) return 'timestamps are in seconds';
    }
    if (s.tags !== undefined && (!Array.isArray(s.tags) || s.tags.some((t) => typeof t !== 'string'))) return 'tags must be strings';
    if (s.resources !== undefined && (!Array.isArray(s.resources) || s.resources.some((r) => !isObj(r) || typeof r.name !== 'string' || typeof r.type !== 'string'))) return 'resources must be {name,type}';
    if (s.interval !== undefined && !Number.isInteger(s.interval)) return 'interval must be an integer';
  }
  return undefined;
}

export async function startDatadogReceiver(opts: { apiKey?: string } = {}): Promise<DatadogReceiver> {
  const apiKey = opts.apiKey ?? 'dd-test-key-0123456789';
  let fault: (DdFault & { until: number }) | undefined;
  const rx: Omit<DatadogReceiver, 'url' | 'close'> = {
    apiKey,
    logs: [],
    series: [],
    requests: [],
    oversizeEntries: 0,
    setFault(f) { fault = { ...f, until: f.forMs === undefined ? Infinity : Date.now() + f.forMs }; },
    clearFault() { fault = undefined; },
    reset() { rx.logs.length = 0; rx.series.length = 0; rx.requests.length = 0; rx.oversizeEntries = 0; },
  };

  const server: Server = createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      void handle(Buffer.concat(chunks)).then(({ status, body, headers }) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(body);
      });
    });
    const path = (req.url ?? '').split('?')[0]!;
    const record = (status: number, entries: number, wireBytes: number, bytes: number) =>
      rx.requests.push({ path, headers: req.headers, status, entries, wireBytes, bytes, at });

    async function handle(wire: Buffer): Promise<{ status: number; body: string; headers?: Record<string, string> }> {
      const err = (status: number, msg: string, entries = 0, bytes = 0) => {
        record(status, entries, wire.length, bytes);
        return { status, body: JSON.stringify({ errors: [msg] }) };
      };
      if (path !== '/api/v2/logs' && path !== '/api/v2/series') return err(404, 'not found');
      if (req.method !== 'POST') return err(405, 'method not allowed');
      if (req.headers['dd-api-key'] !== apiKey) return err(403, 'Forbidden');
      const enc = req.headers['content-encoding'];
      let raw: Buffer;
      try {
        raw = enc === 'gzip' ? await gunzipAsync(wire) : enc === 'deflate' ? await inflateAsync(wire) : enc === undefined || enc === 'identity' ? wire : Buffer.alloc(0);
      } catch {
        return err(400, 'bad compressed body');
      }
      if (enc !== undefined && enc !== 'identity' && enc !== 'gzip' && enc !== 'deflate') return err(415, `unsupported Content-Encoding ${String(enc)}`);
      const isLogs = path === '/api/v2/logs';
      if (isLogs ? raw.length > LOGS_MAX_PAYLOAD : raw.length > SERIES_MAX_DECOMPRESSED || wire.length > SERIES_MAX_COMPRESSED) return err(413, 'Payload too large', 0, raw.length);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return err(400, 'invalid JSON', 0, raw.length);
      }
      let entries = 0;
      if (isLogs) {
        if (!Array.isArray(body)) return err(400, 'expected a JSON array', 0, raw.length);
        entries = body.length;
        if (entries === 0 || entries > LOGS_MAX_ENTRIES) return err(400, `expected 1..${LOGS_MAX_ENTRIES} entries, got ${entries}`, entries, raw.length);
        if (body.some((e) => !isObj(e) || typeof e.message !== 'string')) return err(400, 'every entry needs a string message', entries, raw.length);
      } else {
        const problem = seriesProblem(body);
        if (problem) return err(400, problem, 0, raw.length);
        entries = (body as { series: unknown[] }).series.length;
      }
      if (fault && Date.now() >= fault.until) fault = undefined;
      if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault!.delayMs));
      const skipped = fault !== undefined && fault.skip !== undefined && fault.skip-- > 0;
      if (fault?.status !== undefined && !skipped && (fault.overEntries === undefined || entries > fault.overEntries)) {
        record(fault.status, entries, wire.length, raw.length);
        const headers: Record<string, string> = fault.retryAfterSecs !== undefined ? { 'retry-after': String(fault.retryAfterSecs) } : {};
        return { status: fault.status, body: fault.body ?? JSON.stringify({ errors: [`injected ${fault.status}`] }), headers };
      }
      record(202, entries, wire.length, raw.length);
      if (isLogs) {
        for (const e of body as Record<string, unknown>[]) {
          if (Buffer.byteLength(JSON.stringify(e)) > LOGS_MAX_ENTRY) rx.oversizeEntries++;
          rx.logs.push(e);
        }
        return { status: 202, body: '{}' };
      }
      for (const s of (body as { series: DdSeries[] }).series) rx.series.push(s);
      return { status: 202, body: '{"errors":[]}' };
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(rx, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  });
}
