/**
 * A lean NDJSON receiver for big runs (the disk buffer kill -9 loop, the outage bench): instead of
 * a Map of event_id strings it keeps one counter per input line. The file source's event_id is
 * `<source>:<file identity>:<byte offset>`, so with fixed-width lines the line number is
 * offset / lineBytes; every id must carry the one expected prefix (anything else is counted in
 * `foreign`). Counts saturate at 255 per line; `total` and `duplicates` are exact.
 *
 * hold() keeps requests waiting (unanswered, the client sees a slow but healthy endpoint) until
 * release(). It can be taken down (`down()`: the port is closed, connections are refused, open connections
 * are cut) and brought back on the same port (`up()`), and answers after `delayMs` when set.
 * Unrecognised bodies get 400 (a sink bug shows up as a failing run).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OffsetReceiver {
  url: string;
  /** Times each line was received (saturating at 255). */
  readonly counts: Uint8Array;
  readonly total: number;
  readonly distinct: number;
  readonly duplicates: number;
  /** Events whose event_id did not have the expected shape or prefix. */
  readonly foreign: number;
  /** Events whose `message` was not the line their event_id points at (a payload mixed up or damaged). */
  readonly mismatched: number;
  readonly requests: number;
  /** The event_id prefix (everything up to the offset), learnt from the first event. */
  readonly prefix: string | undefined;
  delayMs: number;
  /** Requests wait for release() before they are answered (and counted). */
  hold(): void;
  release(): void;
  /** Line numbers never received (at most `limit` of them). */
  missing(limit?: number): number[];
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

const KEY = '"event_id":"';

export async function startOffsetReceiver(lines: number, lineBytes: number): Promise<OffsetReceiver> {
  const counts = new Uint8Array(lines);
  const s = { total: 0, distinct: 0, duplicates: 0, foreign: 0, mismatched: 0, requests: 0, prefix: undefined as string | undefined };
  let port = 0;
  let server: Server;
  let held: (() => void)[] | undefined;

  function record(body: string): boolean {
    if (body.length === 0 || !body.endsWith('\n')) return false;
    let at = 0;
    while (at < body.length) {
      const end = body.indexOf('\n', at);
      const k = body.indexOf(KEY, at);
      if (k === -1 || k > end) return false;
      const idStart = k + KEY.length;
      const idEnd = body.indexOf('"', idStart);
      const colon = body.lastIndexOf(':', idEnd);
      s.total++;
      const offset = Number(body.slice(colon + 1, idEnd));
      const prefix = body.slice(idStart, colon + 1);
      s.prefix ??= prefix;
      const line = offset / lineBytes;
      if (prefix !== s.prefix || !Number.isInteger(line) || line < 0 || line >= lines) {
        s.foreign++;
      } else {
        const m = body.indexOf(`"message":"L${String(line).padStart(lineBytes - 2, '0')}"`, at);
        if (m === -1 || m > end) s.mismatched++;
        const c = counts[line]!;
        if (c === 0) s.distinct++;
        else s.duplicates++;
        if (c < 255) counts[line] = c + 1;
      }
      at = end + 1;
    }
    return true;
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      s.requests++;
      const answer = () => {
        if (res.destroyed) return;
        if (req.headers['content-encoding'] !== undefined && req.headers['content-encoding'] !== 'identity') {
          res.writeHead(415).end('compression not supported here');
        } else if (record(Buffer.concat(chunks).toString('utf8'))) {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        } else {
          res.writeHead(400).end('not NDJSON with event_id');
        }
      };
      if (held) held.push(answer);
      else if (rec.delayMs > 0) setTimeout(answer, rec.delayMs);
      else answer();
    });
  }

  function listen(): Promise<void> {
    server = createServer(handle);
    server.keepAliveTimeout = 60_000;
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  function stop(): Promise<void> {
    held = undefined;
    return new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  const rec: OffsetReceiver = {
    url: '',
    counts,
    get total() { return s.total; },
    get distinct() { return s.distinct; },
    get duplicates() { return s.duplicates; },
    get foreign() { return s.foreign; },
    get mismatched() { return s.mismatched; },
    get requests() { return s.requests; },
    get prefix() { return s.prefix; },
    delayMs: 0,
    hold() {
      held ??= [];
    },
    release() {
      const waiting = held ?? [];
      held = undefined;
      for (const answer of waiting) answer();
    },
    missing(limit = 20) {
      const out: number[] = [];
      for (let i = 0; i < lines && out.length < limit; i++) if (counts[i] === 0) out.push(i);
      return out;
    },
    down: stop,
    up: listen,
    close: stop,
  };
  await listen();
  rec.url = `http://127.0.0.1:${port}/ingest`;
  return rec;
}

/** Fixed-width lines `L0000000…` (lineBytes including the newline), as one string. */
export function fixedWidthLines(n: number, lineBytes: number): string {
  const digits = lineBytes - 2;
  if (String(n - 1).length > digits) throw new Error('lines too short for the count');
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = `L${String(i).padStart(digits, '0')}`;
  return parts.join('\n') + '\n';
}
