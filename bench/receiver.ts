/**
 * Counting intakes for benchmarks, one server per sink so each counts only its own deliveries:
 *
 * - `hec`: Splunk HEC's `/services/collector/event` (`Authorization: Splunk <token>` checked: 401
 *   code 2/3, 403 code 4), `/services/collector/health` (200 code 17); body = concatenated envelopes
 *   (must start with `{` and contain no top-level array);
 * - `datadog`: `/api/v2/logs` (`DD-API-KEY` checked: 403), a JSON array body.
 *
 * Both gunzip `Content-Encoding: gzip` bodies on the libuv pool and find every event's `event_id`
 * (plain in HEC's `event` object, escaped inside Datadog's `message` string) without parsing the
 * JSON: the receiver must stay cheap next to the process being measured, but it must see every event.
 * The id's last `:`-separated part (the source's byte offset, or the plain loop's) is kept in a Set,
 * so a run is checked for exactly-once delivery: `unique === lines && events === lines`.
 * The strict protocol receivers of the test suite (test/helpers/*-receiver.ts) keep every envelope
 * in memory and parse it: right for correctness tests, too heavy for a million events.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);

export type IntakeKind = 'hec' | 'datadog';

export const BENCH_TOKEN = 'bench-token-0000';

export interface BenchReceiver {
  kind: IntakeKind;
  /** Base URL (HEC endpoint / Datadog endpoint override). */
  url: string;
  /** Events seen (duplicates included). */
  readonly events: number;
  /** Distinct event ids seen. */
  readonly unique: number;
  readonly requests: number;
  /** Bytes on the wire. */
  readonly bytes: number;
  /** Requests refused (auth, bad body). */
  readonly refused: number;
  /** Called for every event received with its id's offset and the receive time (latency probes). */
  onEvent?: ((offset: number, at: number) => void) | undefined;
  reset(): void;
  close(): Promise<void>;
}

const ID = Buffer.from('event_id');

/** Calls fn(offset) for every event_id in a decoded body; returns how many were found. */
export function scanIds(buf: Buffer, fn: (offset: number) => void): number {
  let n = 0;
  let i = buf.indexOf(ID);
  while (i !== -1) {
    let j = i + ID.length;
    // Skip `":"` (HEC) or `\":\"` (inside a Datadog message string).
    while (j < buf.length && (buf[j] === 0x22 || buf[j] === 0x5c || buf[j] === 0x3a || buf[j] === 0x20)) j++;
    let off = 0;
    let digits = false;
    for (; j < buf.length; j++) {
      const c = buf[j]!;
      if (c === 0x22 || c === 0x5c) break;
      if (c === 0x3a) {
        off = 0;
        digits = false;
      } else if (c >= 0x30 && c <= 0x39) {
        off = off * 10 + (c - 0x30);
        digits = true;
      } else {
        off = 0;
        digits = false;
      }
    }
    if (digits) {
      fn(off);
      n++;
    }
    i = buf.indexOf(ID, j);
  }
  return n;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startBenchReceiver(kind: IntakeKind): Promise<BenchReceiver> {
  let ids = new Set<number>();
  const st = { events: 0, requests: 0, bytes: 0, refused: 0 };
  const rx: BenchReceiver = {
    kind,
    url: '',
    get events() { return st.events; },
    get unique() { return ids.size; },
    get requests() { return st.requests; },
    get bytes() { return st.bytes; },
    get refused() { return st.refused; },
    onEvent: undefined,
    reset() {
      ids = new Set();
      st.events = st.requests = st.bytes = st.refused = 0;
    },
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
  const add = (off: number): void => {
    ids.add(off);
    rx.onEvent?.(off, Date.now());
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '');
    const raw = await readBody(req);
    if (kind === 'hec') {
      if (path === '/services/collector/health') return json(res, 200, { text: 'HEC is healthy', code: 17 });
      if (path !== '/services/collector/event') return json(res, 404, { text: 'not found', code: 404 });
      const auth = req.headers.authorization;
      if (!auth) return refuse(res, 401, { text: 'Token is required', code: 2 });
      if (!auth.startsWith('Splunk ')) return refuse(res, 401, { text: 'Invalid authorization', code: 3 });
      if (auth !== `Splunk ${BENCH_TOKEN}`) return refuse(res, 403, { text: 'Invalid token', code: 4 });
    } else {
      if (path !== '/api/v2/logs') return json(res, 404, { errors: ['not found'] });
      if (req.headers['dd-api-key'] !== BENCH_TOKEN) return refuse(res, 403, { errors: ['Forbidden'] });
    }
    let body: Buffer;
    try {
      body = req.headers['content-encoding'] === 'gzip' ? await gunzipAsync(raw) : raw;
    } catch {
      return refuse(res, 400, kind === 'hec' ? { text: 'Invalid data format', code: 6 } : { errors: ['bad gzip'] });
    }
    const first = body.length > 0 ? body[0] : 0;
    if (first !== (kind === 'hec' ? 0x7b : 0x5b)) return refuse(res, 400, kind === 'hec' ? { text: 'Invalid data format', code: 6 } : { errors: ['expected an array'] });
    st.bytes += raw.length;
    st.requests++;
    st.events += scanIds(body, add);
    if (kind === 'hec') json(res, 200, { text: 'Success', code: 0 });
    else json(res, 202, {});
  }

  function refuse(res: ServerResponse, status: number, body: unknown): void {
    st.refused++;
    json(res, status, body);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  rx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return rx;
}
