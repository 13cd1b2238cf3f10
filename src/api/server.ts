/**
 * The instance's HTTP API: /health, /ready, /metrics, /api/topology and the live dashboard at /
 * (static files, src/api/dashboard.ts).
 * Later issues mount /live (WebSocket) and /v1/channel/* here through `routes`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/component.js';
import type { ApiConfig } from '../config/schema.js';
import type { Telemetry } from '../telemetry/metrics.js';
import { isAuthorized, isLoopback } from './auth.js';
import { dashboardDir, serveDashboard } from './dashboard.js';

export interface ApiState {
  health(): { ready: boolean; sinks: Record<string, unknown> };
  describe(): Record<string, unknown>;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface ApiServer {
  server: Server;
  address: { host: string; port: number };
  close(): Promise<void>;
}

const startedAt = Date.now();

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

export function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(address.slice(i + 1)) };
}

/** Refuses to expose the API beyond loopback without a token (unless explicitly allowed). */
export function assertSafeExposure(cfg: ApiConfig): void {
  const { host } = splitAddress(cfg.address);
  const tokenSet = !!cfg.auth_token && !cfg.auth_token.isEmpty;
  if (!isLoopback(host) && !tokenSet && !cfg.allow_unauthenticated) {
    throw new Error(`api.address ${cfg.address} is not a loopback address and api.auth_token is empty: set a token, or api.allow_unauthenticated: true`);
  }
}

export async function startApi(cfg: ApiConfig, state: ApiState, telemetry: Telemetry, logger: Logger, routes: RouteHandler[] = []): Promise<ApiServer> {
  assertSafeExposure(cfg);
  const { host, port } = splitAddress(cfg.address);
  const dashboard = dashboardDir();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/health') return json(res, 200, { status: 'ok', uptime_secs: Math.round((Date.now() - startedAt) / 1000) });
    if (path === '/ready') {
      const h = state.health();
      return json(res, h.ready ? 200 : 503, { status: h.ready ? 'ready' : 'not_ready', sinks: h.sinks });
    }
    for (const r of routes) if (await r(req, res, url)) return;
    if (!isAuthorized(req, url, cfg.auth_token)) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="edgetail"' });
      res.end(JSON.stringify({ error: 'unauthorized: send Authorization: Bearer <api.auth_token>' }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'method not allowed' });
    if (path === '/metrics') {
      const text = await telemetry.registry.metrics();
      res.writeHead(200, { 'content-type': telemetry.registry.contentType });
      res.end(text);
      return;
    }
    if (path === '/api/topology') return json(res, 200, state.describe());
    const pageToken = cfg.auth_token && !cfg.auth_token.isEmpty ? (url.searchParams.get('token') ?? undefined) : undefined;
    if (await serveDashboard(req, res, path, dashboard, pageToken)) return;
    json(res, 404, { error: 'not found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err: err instanceof Error ? err.message : String(err), path: req.url }, 'api request failed');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  logger.info({ address: `${addr.address}:${addr.port}` }, 'api listening');
  return {
    server,
    address: { host: addr.address, port: addr.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
