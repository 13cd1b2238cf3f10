/** Serves one API route handler (rt read API, ingest) on a free loopback port for unit tests; 404 otherwise. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export async function serveHandler(handler: Handler): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    void Promise.resolve(handler(req, res, new URL(req.url ?? '/', 'http://localhost'))).then((handled) => {
      if (!handled) {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
