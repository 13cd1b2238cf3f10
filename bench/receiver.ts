/** A fast counting HTTP receiver for benchmarks: gunzips, counts NDJSON lines, answers 200. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);

export interface BenchReceiver {
  url: string;
  lines: number;
  bytes: number;
  requests: number;
  close(): Promise<void>;
}

function countLines(buf: Buffer): number {
  let n = 0;
  let i = -1;
  while ((i = buf.indexOf(10, i + 1)) !== -1) n++;
  // A body that does not end in a newline still holds a last line.
  if (buf.length > 0 && buf[buf.length - 1] !== 10) n++;
  return n;
}

export async function startBenchReceiver(): Promise<BenchReceiver> {
  const state = { lines: 0, bytes: 0, requests: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      state.bytes += body.length;
      const decode = req.headers['content-encoding'] === 'gzip' ? gunzipAsync(body) : Promise.resolve(body);
      decode.then(
        (plain) => {
          state.lines += countLines(plain);
          state.requests++;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"text":"Success","code":0}');
        },
        () => {
          res.writeHead(400);
          res.end('bad gzip');
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/ingest`,
    get lines() { return state.lines; },
    get bytes() { return state.bytes; },
    get requests() { return state.requests; },
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}
