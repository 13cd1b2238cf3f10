/** Minimal HTTP(S) client for listener tests: exact bytes out, status + body back, no pooling. */
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function send(
  url: string,
  opts: { method?: string; headers?: OutgoingHttpHeaders; body?: Buffer | string; ca?: Buffer; cert?: Buffer; key?: Buffer } = {},
): Promise<RawResponse> {
  const u = new URL(url);
  const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)({
    host: u.hostname,
    port: u.port,
    path: u.pathname + u.search,
    method: opts.method ?? 'POST',
    headers: opts.headers,
    agent: false,
    ca: opts.ca,
    cert: opts.cert,
    key: opts.key,
  });
  return new Promise((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.end(opts.body);
  });
}

/** Opens a TCP connection, writes `data`, and resolves with everything received until the server closes. */
export function rawExchange(port: number, data: string | Buffer, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const s: Socket = connect(port, host);
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? resolve(out) : reject(err)));
    s.on('close', () => resolve(out));
    s.on('connect', () => {
      if (data.length > 0) s.write(data);
    });
  });
}
