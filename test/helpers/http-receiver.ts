/**
 * A strict HTTP receiver for sink tests: accepts POST/PUT bodies of NDJSON (application/x-ndjson) or
 * one JSON array (application/json), optionally gzip-encoded, and counts every event by `event_id`.
 * Anything malformed — wrong method, unknown content type, bad gzip, a line that is not a JSON
 * object, an empty body, an event without event_id — gets 400/405/415, so a sink bug shows up.
 * `text/plain` bodies (the raw codec) are accepted and kept line by line in `lines`.
 *
 * Faults can be switched at runtime: `setFault({ status: 503, retryAfterSecs: 1 })`.
 * Events of a faulted request are NOT recorded (the receiver did not accept them); events of a
 * delayed-but-successful request are recorded when the response is sent, even if the client has
 * gone away meanwhile (as a real server would: that is where duplicates come from).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';

const gunzipAsync = promisify(gunzip);

export interface Fault {
  /** Status to answer instead of 200 (events not recorded). Omit for a delay-only fault. */
  status?: number;
  /** The fault clears itself this long after setFault. */
  forMs?: number;
  /** Adds `Retry-After: <secs>` to faulted responses. */
  retryAfterSecs?: number;
  /** Waits this long before answering (faulted or not). */
  delayMs?: number;
  /** Only every Nth request (counted from setFault: the Nth, 2Nth, …) is faulted. */
  everyNth?: number;
  /** Body of the faulted response. */
  body?: string;
}

export interface ReceiverOptions {
  /** Require `event_id` (a string) on every JSON event. Default true. */
  requireEventId?: boolean;
  /** Keep every decoded body in `bodies` (memory!). Default false. */
  keepBodies?: boolean;
  /** When set, requests whose Authorization header differs get 401. */
  expectAuthorization?: string;
  /** Status of a successful response. Default 200. */
  okStatus?: number;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  status: number;
  events: number;
}

export interface Receiver {
  url: string;
  /** event_id → times received (in accepted requests). */
  counts: Map<string, number>;
  /** Every event object accepted, in order (only with keepBodies). */
  events: Record<string, unknown>[];
  /** Decoded (gunzipped) bodies of accepted requests (only with keepBodies). */
  bodies: string[];
  /** Lines of accepted text/plain bodies. */
  lines: string[];
  /** One entry per request received (any outcome). */
  log: ReceivedRequest[];
  readonly requests: number;
  readonly total: number;
  readonly distinct: number;
  readonly duplicates: number;
  setFault(f: Fault): void;
  clearFault(): void;
  reset(): void;
  close(): Promise<void>;
}

class BadRequest extends Error {}

function parseBody(text: string, contentType: string, requireEventId: boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const check = (v: unknown, where: string): void => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BadRequest(`${where}: not a JSON object`);
    const o = v as Record<string, unknown>;
    if (requireEventId && typeof o.event_id !== 'string') throw new BadRequest(`${where}: no string event_id`);
    out.push(o);
  };
  if (text.length === 0) throw new BadRequest('empty body');
  if (contentType === 'application/json') {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new BadRequest('body is not valid JSON');
    }
    if (!Array.isArray(v)) throw new BadRequest('application/json body is not an array');
    if (v.length === 0) throw new BadRequest('empty array');
    v.forEach((e, i) => check(e, `element ${i}`));
    return out;
  }
  // NDJSON: every line a JSON object, each terminated by \n, no blank lines.
  if (!text.endsWith('\n')) throw new BadRequest('NDJSON body does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  for (let i = 0; i < lines.length; i++) {
    let v: unknown;
    try {
      v = JSON.parse(lines[i]!);
    } catch {
      throw new BadRequest(`line ${i + 1} is not valid JSON`);
    }
    check(v, `line ${i + 1}`);
  }
  return out;
}

export async function startReceiver(opts: ReceiverOptions = {}): Promise<Receiver> {
  const requireEventId = opts.requireEventId ?? true;
  let fault: (Fault & { until: number; seen: number }) | undefined;
  let requests = 0;
  let total = 0;
  let duplicates = 0;

  const rec: Receiver = {
    url: '',
    counts: new Map(),
    events: [],
    bodies: [],
    lines: [],
    log: [],
    get requests() { return requests; },
    get total() { return total; },
    get distinct() { return rec.counts.size; },
    get duplicates() { return duplicates; },
    setFault(f) { fault = { ...f, until: f.forMs === undefined ? Infinity : Date.now() + f.forMs, seen: 0 }; },
    clearFault() { fault = undefined; },
    reset() {
      rec.counts.clear(); rec.events.length = 0; rec.bodies.length = 0; rec.lines.length = 0; rec.log.length = 0;
      requests = 0; total = 0; duplicates = 0;
    },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requests += 1;
    const entry: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, status: 0, events: 0 };
    rec.log.push(entry);
    const answer = (status: number, body: string, headers: Record<string, string> = {}): void => {
      entry.status = status;
      if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
    };
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let raw = Buffer.concat(chunks);

    // Fault decision first (counted per request since setFault).
    let faulted: Fault | undefined;
    if (fault && Date.now() >= fault.until) fault = undefined;
    if (fault) {
      fault.seen += 1;
      if (!fault.everyNth || fault.seen % fault.everyNth === 0) faulted = fault;
    }
    if (faulted?.delayMs) await new Promise((r) => setTimeout(r, faulted!.delayMs));
    if (faulted?.status !== undefined) {
      const h: Record<string, string> = faulted.retryAfterSecs !== undefined ? { 'retry-after': String(faulted.retryAfterSecs) } : {};
      return answer(faulted.status, faulted.body ?? JSON.stringify({ error: 'injected fault' }), h);
    }

    if (req.method !== 'POST' && req.method !== 'PUT') return answer(405, '{"error":"method not allowed"}');
    if (opts.expectAuthorization !== undefined && req.headers.authorization !== opts.expectAuthorization) {
      return answer(401, '{"error":"unauthorized"}');
    }
    const enc = req.headers['content-encoding'];
    if (enc === 'gzip') {
      try {
        raw = await gunzipAsync(raw);
      } catch {
        return answer(400, '{"error":"bad gzip body"}');
      }
    } else if (enc !== undefined && enc !== 'identity') {
      return answer(415, `{"error":"unsupported content-encoding ${enc}"}`);
    }
    const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const text = raw.toString('utf8');
    if (ct === 'text/plain') {
      if (!text.endsWith('\n')) return answer(400, '{"error":"text body does not end with a newline"}');
      const ls = text.slice(0, -1).split('\n');
      for (const l of ls) rec.lines.push(l);
      if (opts.keepBodies) rec.bodies.push(text);
      entry.events = ls.length;
      return answer(opts.okStatus ?? 200, '{"ok":true}');
    }
    if (ct !== 'application/json' && ct !== 'application/x-ndjson') return answer(415, `{"error":"unsupported content-type ${ct}"}`);
    let events: Record<string, unknown>[];
    try {
      events = parseBody(text, ct, requireEventId);
    } catch (err) {
      if (err instanceof BadRequest) return answer(400, JSON.stringify({ error: err.message }));
      throw err;
    }
    for (const e of events) {
      total += 1;
      const id = typeof e.event_id === 'string' ? e.event_id : undefined;
      if (id !== undefined) {
        const n = rec.counts.get(id) ?? 0;
        if (n > 0) duplicates += 1;
        rec.counts.set(id, n + 1);
      }
      if (opts.keepBodies) rec.events.push(e);
    }
    if (opts.keepBodies) rec.bodies.push(text);
    entry.events = events.length;
    return answer(opts.okStatus ?? 200, '{"ok":true}');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return rec;
}
