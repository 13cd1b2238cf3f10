/**
 * A strict fake of rt.fastly.com for source tests: only `GET /v1/channel/{sid}/ts/{ts}` with the
 * right `Fastly-Key` (missing → 401, wrong → 403, as the real API), and the cursor must be the
 * `Timestamp` it answered last for that service (or 0 / h on a first call): anything else is a
 * violation, recorded and answered 400. Answers come from a script; with the script empty a request
 * is held until the client gives up (a long poll with nothing to say).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Scripted {
  status?: number;
  headers?: Record<string, string>;
  /** JSON body (an object is serialised). */
  body: unknown;
}

export interface FakeRt {
  url: string;
  key: string;
  paths: string[];
  violations: string[];
  script: Scripted[];
  /** Queues answers; a request held for want of one is answered first. */
  push(...items: Scripted[]): void;
  close(): Promise<void>;
}

export async function startFakeRt(key: string): Promise<FakeRt> {
  const cursors = new Map<string, number>();
  const held = new Map<ServerResponse, string>();
  const answer = (res: ServerResponse, sid: string, next: Scripted): void => {
    const status = next.status ?? 200;
    const body = next.body as { Timestamp?: unknown } | undefined;
    if (status === 200 && typeof body?.Timestamp === 'number') cursors.set(sid, body.Timestamp);
    res.writeHead(status, { 'content-type': 'application/json', ...next.headers });
    res.end(typeof next.body === 'string' ? next.body : JSON.stringify(next.body));
  };
  const fake: FakeRt = {
    url: '', key, paths: [], violations: [], script: [],
    push(...items) {
      fake.script.push(...items);
      for (const [res, sid] of held) {
        const next = fake.script.shift();
        if (next === undefined) break;
        held.delete(res);
        answer(res, sid, next);
      }
    },
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    fake.paths.push(path);
    const m = /^\/v1\/channel\/([^/]+)\/ts\/(h|\d+)$/.exec(path);
    const fail = (why: string) => {
      fake.violations.push(`${path}: ${why}`);
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ msg: why }));
    };
    if (req.method !== 'GET') return fail(`method ${req.method}`);
    if (!m) return fail('unknown path');
    const k = req.headers['fastly-key'];
    if (k === undefined || k === '') {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ msg: 'Provided credentials are missing or invalid' }));
    }
    if (k !== fake.key) {
      res.writeHead(403, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ msg: 'Provided credentials are missing or invalid' }));
    }
    const sid = m[1]!, ts = m[2]!;
    const expected = cursors.get(sid);
    if (expected === undefined ? ts !== '0' && ts !== 'h' : ts !== String(expected)) return fail(`cursor ${ts}, expected ${expected ?? '0 or h'}`);
    const next = fake.script.shift();
    if (next === undefined) {
      held.set(res, sid);
      res.on('close', () => held.delete(res));
      return;
    }
    answer(res, sid, next);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((r) => {
      for (const res of held.keys()) res.destroy();
      server.close(() => r());
      server.closeAllConnections();
    });
  return fake;
}
