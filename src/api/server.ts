/**
 * The instance's HTTP API: /health, /ready, /metrics, /api/topology and the live dashboard at /
 * (static files, src/api/dashboard.ts).
 * Later issues mount /live (WebSocket) and /v1/channel/* here through `routes`.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/component.js';
import { ConfigError } from '../core/errors.js';
import type { ApiConfig } from '../config/schema.js';
import type { Telemetry } from '../telemetry/metrics.js';
import { isAuthorized, isLoopback } from './auth.js';
import { applyCors } from './cors.js';
import { dashboardDir, serveDashboard } from './dashboard.js';
import { guardServer, rejectionCounter, serverOptions, type CountRejection } from './limits.js';

export interface ApiState {
  health(): { ready: boolean; sinks: Record<string, unknown> };
  describe(): Record<string, unknown>;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface ApiServer {
  server: Server;
  address: { host: string; port: number };
  /** 'https' when api.tls is set. */
  scheme: 'http' | 'https';
  /** Counts a rejection in edgetail_api_rejected_total (also used by /live). */
  reject: CountRejection;
  close(): Promise<void>;
}

const startedAt = Date.now();

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

import { splitAddress } from '../core/net.js';
export { splitAddress };

/** Refuses to expose the API beyond loopback without a token (unless explicitly allowed). */
export function assertSafeExposure(cfg: ApiConfig): void {
  const { host } = splitAddress(cfg.address);
  const tokenSet = !!cfg.auth_token && !cfg.auth_token.isEmpty;
  if (!isLoopback(host) && !tokenSet && !cfg.allow_unauthenticated) {
    throw new ConfigError([{ path: 'api.auth_token', severity: 'error', message: `required when api.address (${cfg.address}) is not a loopback address; or set api.allow_unauthenticated: true` }]);
  }
}

export async function startApi(cfg: ApiConfig, state: ApiState, telemetry: Telemetry, logger: Logger, routes: RouteHandler[] = []): Promise<ApiServer> {
  assertSafeExposure(cfg);
  const { host, port } = splitAddress(cfg.address);
  const dashboard = dashboardDir();
  const allowedOrigins = new Set(cfg.allowed_origins);
  const reject = rejectionCounter(telemetry.registry);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.once('finish', () => {
      if (res.statusCode === 401) reject('unauthorized');
      else if (res.statusCode === 403) reject('forbidden');
    });
    if (applyCors(req, res, allowedOrigins) === 'preflight') return;
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

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err: err instanceof Error ? err.message : String(err), path: req.url?.split('?')[0] }, 'api request failed');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  };
  const options = serverOptions(cfg.limits);
  const tls = cfg.tls;
  let server: Server;
  if (tls) {
    const read = (key: string, file: string): Buffer => {
      try {
        return readFileSync(file);
      } catch (err) {
        throw new ConfigError([{ path: `api.tls.${key}`, severity: 'error', message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` }]);
      }
    };
    // https.Server is an http.Server as far as routes, /live upgrades and limits are concerned.
    server = createTlsServer({
      ...options,
      cert: read('cert_file', tls.cert_file),
      key: read('key_file', tls.key_file),
      ...(tls.ca_file ? { ca: read('ca_file', tls.ca_file) } : {}),
      requestCert: tls.verify_client,
      rejectUnauthorized: tls.verify_client,
      minVersion: 'TLSv1.2',
    }, onRequest) as unknown as Server;
  } else {
    server = createServer(options, onRequest);
  }
  guardServer(server, cfg.limits, reject);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  logger.info({ address: `${addr.address}:${addr.port}`, tls: !!tls }, 'api listening');
  return {
    server,
    address: { host: addr.address, port: addr.port },
    scheme: tls ? 'https' : 'http',
    reject,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
