/**
 * A STRICT Splunk HTTP Event Collector for sink tests, implementing PROTOCOLS.md "Splunk HTTP Event
 * Collector" to the letter, so that a sink bug shows up as the error a real HEC would give:
 *
 * - `Authorization: Splunk <token>`: missing → 401 code 2; another scheme/shape → 401 code 3;
 *   unknown token → 403 code 4; a token in `disabledTokens` → 403 code 1.
 * - `POST /services/collector/event` (alias `/services/collector`): JSON envelopes concatenated with
 *   only whitespace between them. An array, or a comma between objects, or anything that is not an
 *   object → 400 code 6; an envelope without `event` → 400 code 12; `event` null / blank string →
 *   400 code 13; `time` not a number → 6; `fields` not a flat object of strings (or string arrays) →
 *   400 code 15; an index outside `indexes` (when given) → 400 code 7; empty body → 400 code 5.
 * - `POST /services/collector/raw`: text body; metadata (index, source, sourcetype, host) from the
 *   query string; a channel is always required (10). Lines are recorded.
 * - Channel: `X-Splunk-Request-Channel` header or `?channel=`; required when acks are on (code 10),
 *   must be a UUID (code 11). With acks on, a success answers `{"text":"Success","code":0,"ackId":N}`
 *   (ids count up per channel) and `POST /services/collector/ack {"acks":[…]}` answers
 *   `{"acks":{"N":true|false}}`; with acks off `/ack` → 400 code 14.
 * - `GET /services/collector/health` → 200 code 17 (no token needed); 503 code 18 when `unhealthy`.
 * - `Content-Encoding: gzip` bodies; a bad gzip stream → 400 code 6. Unknown paths → 404.
 *
 * Faults: `setFault({ status: 503, code: 9, forMs: 500 })`, `setFault({ status: 429, retryAfterSecs: 1 })`,
 * `setFault({ delayMs: 300 })` (slow), `withholdAcks = true` (acks stay false until set back).
 * Events of a faulted or refused request are not recorded.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';

const gunzipAsync = promisify(gunzip);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface HecFault {
  /** HTTP status instead of success (the request is not recorded). Omit for a delay-only fault. */
  status?: number;
  /** HEC code of the faulted reply (default 9 for 503, 8 for 500, none otherwise). */
  code?: number;
  forMs?: number;
  retryAfterSecs?: number;
  delayMs?: number;
  /** Raw body of the faulted reply (e.g. a proxy's HTML 404 page). */
  body?: string;
}

export interface HecReceiverOptions {
  /** The valid token(s). */
  tokens: string[];
  disabledTokens?: string[];
  /** Indexer acknowledgements enabled. Default false. */
  acks?: boolean;
  /** Allowed indexes; any index allowed when unset. */
  indexes?: string[];
}

/** One accepted `/event` envelope. */
export interface HecEnvelope {
  time?: number;
  host?: string;
  source?: string;
  sourcetype?: string;
  index?: string;
  fields?: Record<string, unknown>;
  event: unknown;
  channel: string | undefined;
}

export interface HecRawBatch {
  lines: string[];
  query: Record<string, string>;
  channel: string;
}

export interface HecRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  status: number;
  code: number | undefined;
  /** Arrival time (epoch ms): retries can be checked against Retry-After. */
  at: number;
}

export interface HecReceiver {
  url: string;
  envelopes: HecEnvelope[];
  /** event.event_id → times accepted. */
  counts: Map<string, number>;
  raw: HecRawBatch[];
  /** Decoded (gunzipped) `/event` bodies accepted. */
  bodies: string[];
  log: HecRequest[];
  /** Ack polls received. */
  readonly ackPolls: number;
  withholdAcks: boolean;
  unhealthy: boolean;
  setFault(f: HecFault): void;
  clearFault(): void;
  reset(): void;
  close(): Promise<void>;
}

class HecError extends Error {
  constructor(readonly status: number, readonly code: number, text: string, readonly extra: Record<string, unknown> = {}) {
    super(text);
  }
}

const TEXT: Record<number, [number, string]> = {
  1: [403, 'Token disabled'],
  2: [401, 'Token is required'],
  3: [401, 'Invalid authorization'],
  4: [403, 'Invalid token'],
  5: [400, 'No data'],
  6: [400, 'Invalid data format'],
  7: [400, 'Incorrect index'],
  10: [400, 'Data channel is missing'],
  11: [400, 'Invalid data channel'],
  12: [400, 'Event field is required'],
  13: [400, 'Event field cannot be blank'],
  14: [400, 'ACK is disabled'],
  15: [400, 'Error in handling indexed fields'],
};

function fail(code: number, extra: Record<string, unknown> = {}): never {
  const [status, text] = TEXT[code]!;
  throw new HecError(status, code, text, extra);
}

/** Splits a body into its concatenated top-level JSON objects (whitespace only in between). */
export function splitEnvelopes(text: string): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  const n = text.length;
  const ws = (c: string): boolean => c === ' ' || c === '\n' || c === '\r' || c === '\t';
  while (i < n) {
    while (i < n && ws(text[i]!)) i++;
    if (i >= n) break;
    if (text[i] !== '{') fail(6, { 'invalid-event-number': out.length });
    const start = i;
    let depth = 0;
    let inStr = false;
    for (; i < n; i++) {
      const c = text[i]!;
      if (inStr) {
        if (c === '\\') i++;
        else if (c === '"') inStr = false;
      } else if (c === '"') inStr = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) break;
      }
    }
    if (depth !== 0 || i >= n) fail(6, { 'invalid-event-number': out.length });
    i++;
    try {
      out.push(JSON.parse(text.slice(start, i)));
    } catch {
      fail(6, { 'invalid-event-number': out.length });
    }
  }
  return out;
}

function checkEnvelope(v: unknown, k: number, indexes: string[] | undefined): Omit<HecEnvelope, 'channel'> {
  const at = { 'invalid-event-number': k };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(6, at);
  const o = v as Record<string, unknown>;
  if (!('event' in o)) fail(12, at);
  const ev = o.event;
  if (ev === null || ev === undefined || (typeof ev === 'string' && ev.trim() === '')) fail(13, at);
  if (o.time !== undefined && typeof o.time !== 'number' && !(typeof o.time === 'string' && /^\d+(\.\d+)?$/.test(o.time))) fail(6, at);
  for (const key of ['host', 'source', 'sourcetype', 'index'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'string') fail(6, at);
  }
  if (o.fields !== undefined) {
    const f = o.fields;
    if (f === null || typeof f !== 'object' || Array.isArray(f)) fail(15, at);
    for (const val of Object.values(f as Record<string, unknown>)) {
      const flat = typeof val === 'string' || typeof val === 'number' || (Array.isArray(val) && val.every((x) => typeof x === 'string'));
      if (!flat) fail(15, at);
    }
  }
  if (indexes && o.index !== undefined && !indexes.includes(o.index as string)) fail(7, at);
  const env: Omit<HecEnvelope, 'channel'> = { event: ev };
  if (o.time !== undefined) env.time = Number(o.time);
  for (const key of ['host', 'source', 'sourcetype', 'index'] as const) if (o[key] !== undefined) env[key] = o[key] as string;
  if (o.fields !== undefined) env.fields = o.fields as Record<string, unknown>;
  return env;
}

export async function startHecReceiver(opts: HecReceiverOptions): Promise<HecReceiver> {
  const acksOn = opts.acks ?? false;
  let fault: (HecFault & { until: number }) | undefined;
  let ackPolls = 0;
  /** channel → next ack id and acked state. */
  const channels = new Map<string, { next: number; ids: Map<number, boolean> }>();

  const rx: HecReceiver = {
    url: '',
    envelopes: [],
    counts: new Map(),
    raw: [],
    bodies: [],
    log: [],
    get ackPolls() { return ackPolls; },
    withholdAcks: false,
    unhealthy: false,
    setFault(f) { fault = { ...f, until: f.forMs === undefined ? Infinity : Date.now() + f.forMs }; },
    clearFault() { fault = undefined; },
    reset() {
      rx.envelopes.length = 0; rx.counts.clear(); rx.raw.length = 0; rx.bodies.length = 0; rx.log.length = 0;
      ackPolls = 0; rx.withholdAcks = false; rx.unhealthy = false; fault = undefined; channels.clear();
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };

  function authorize(h: IncomingHttpHeaders): void {
    const a = h.authorization;
    if (a === undefined || a === '') fail(2);
    const m = /^Splunk ([^\s]+)$/.exec(a);
    if (!m) fail(3);
    if (opts.disabledTokens?.includes(m[1]!)) fail(1);
    if (!opts.tokens.includes(m[1]!)) fail(4);
  }

  function channelOf(req: IncomingMessage, q: URLSearchParams, required: boolean): string | undefined {
    const hv = req.headers['x-splunk-request-channel'];
    const c = (Array.isArray(hv) ? hv[0] : hv) ?? q.get('channel') ?? undefined;
    if (c === undefined || c === '') {
      if (required) fail(10);
      return undefined;
    }
    if (!UUID.test(c)) fail(11);
    return c;
  }

  async function bodyOf(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let raw = Buffer.concat(chunks);
    const enc = req.headers['content-encoding'];
    if (enc === 'gzip') {
      try {
        raw = await gunzipAsync(raw);
      } catch {
        fail(6);
      }
    } else if (enc !== undefined && enc !== 'identity') fail(6);
    return raw.toString('utf8');
  }

  function success(channel: string | undefined): Record<string, unknown> {
    if (!acksOn || channel === undefined) return { text: 'Success', code: 0 };
    let ch = channels.get(channel);
    if (!ch) channels.set(channel, (ch = { next: 0, ids: new Map() }));
    const id = ch.next++;
    ch.ids.set(id, false);
    return { text: 'Success', code: 0, ackId: id };
  }

  async function route(req: IncomingMessage, path: string, q: URLSearchParams): Promise<[number, Record<string, unknown>]> {
    if (path === '/services/collector/health') {
      if (req.method !== 'GET' && req.method !== 'POST') return [405, { text: 'Method not allowed' }];
      return rx.unhealthy ? [503, { text: 'HEC is unhealthy, queues are full', code: 18 }] : [200, { text: 'HEC is healthy', code: 17 }];
    }
    const ingest = path === '/services/collector/event' || path === '/services/collector' || path === '/services/collector/raw';
    if (!ingest && path !== '/services/collector/ack') return [404, { text: 'The requested URL was not found on this server.', code: 404 }];
    if (req.method !== 'POST') return [405, { text: 'Method not allowed' }];
    authorize(req.headers);
    if (path === '/services/collector/ack') {
      if (!acksOn) fail(14);
      const channel = channelOf(req, q, true)!;
      ackPolls += 1;
      let v: unknown;
      try {
        v = JSON.parse(await bodyOf(req));
      } catch {
        fail(6);
      }
      const ids = (v as { acks?: unknown } | null)?.acks;
      if (!Array.isArray(ids) || !ids.every((x) => Number.isInteger(x))) fail(6);
      const ch = channels.get(channel);
      const out: Record<string, boolean> = {};
      for (const id of ids as number[]) {
        const known = ch?.ids.has(id) ?? false;
        out[String(id)] = known && !rx.withholdAcks;
        if (out[String(id)]) ch!.ids.delete(id);
      }
      return [200, { acks: out }];
    }
    const isRaw = path === '/services/collector/raw';
    const channel = channelOf(req, q, acksOn || isRaw);
    const text = await bodyOf(req);
    if (text.trim().length === 0) fail(5);
    if (isRaw) {
      if (opts.indexes && q.has('index') && !opts.indexes.includes(q.get('index')!)) fail(7);
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      rx.raw.push({ lines, query: Object.fromEntries(q), channel: channel! });
      return [200, success(channel)];
    }
    if (/^\s*\[/.test(text)) fail(6, { 'invalid-event-number': 0 });
    const envs = splitEnvelopes(text).map((v, k) => ({ ...checkEnvelope(v, k, opts.indexes), channel }));
    for (const e of envs) {
      rx.envelopes.push(e);
      const id = (e.event as { event_id?: unknown } | null)?.event_id;
      if (typeof id === 'string') rx.counts.set(id, (rx.counts.get(id) ?? 0) + 1);
    }
    rx.bodies.push(text);
    return [200, success(channel)];
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://hec');
    const entry: HecRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, status: 0, code: undefined, at: Date.now() };
    rx.log.push(entry);
    const answer = (status: number, body: Record<string, unknown> | string, headers: Record<string, string> = {}): void => {
      entry.status = status;
      if (typeof body === 'object' && typeof body.code === 'number') entry.code = body.code;
      if (!res.destroyed) res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (fault && Date.now() >= fault.until) fault = undefined;
    const f = u.pathname === '/services/collector/health' ? undefined : fault;
    if (f?.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
    if (f?.status !== undefined) {
      for await (const _ of req) { /* drain */ }
      const h: Record<string, string> = f.retryAfterSecs !== undefined ? { 'retry-after': String(f.retryAfterSecs) } : {};
      const code = f.code ?? (f.status === 503 ? 9 : f.status === 500 ? 8 : undefined);
      return answer(f.status, f.body ?? (code !== undefined ? { text: code === 9 ? 'Server is busy' : 'Internal server error', code } : { text: 'fault' }), h);
    }
    try {
      const [status, body] = await route(req, u.pathname.replace(/\/+$/, ''), u.searchParams);
      answer(status, body);
    } catch (err) {
      if (!(err instanceof HecError)) throw err;
      if (!req.readableEnded) for await (const _ of req) { /* drain */ }
      answer(err.status, { text: err.message, code: err.code, ...err.extra });
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return rx;
}
