/**
 * `prometheus_exporter` sink: keeps the latest value of every series it is sent (SeriesStore) and
 * serves them on `GET /metrics` at `address`, formatted by prom-client from the sink's own Registry
 * (never prom-client's global one, nor edgetail's own metrics registry). "Sending" a batch is
 * updating the store: it never fails, so nothing is ever retried or dead-lettered.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import type { ComponentContext } from '../../src/core/component.js';
import type { Event, MetricEvent } from '../../src/core/event.js';
import { OK, type SinkDriver } from '../../src/delivery/types.js';
import type { PrometheusExporterConfig } from './config.js';
import { SeriesStore } from './series.js';

export interface PrometheusExporterDriver extends SinkDriver<MetricEvent[]> {
  /** Where the listener is bound (port 0 in the config → the port chosen). */
  readonly address: { host: string; port: number };
  readonly store: SeriesStore;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(address.slice(i + 1)) };
}

export async function buildPrometheusExporter(config: PrometheusExporterConfig, ctx: ComponentContext): Promise<PrometheusExporterDriver> {
  const registry = new client.Registry();
  const store = new SeriesStore({
    expireMs: config.expire_secs * 1000,
    maxSeries: config.max_series,
    counterMode: config.counter_mode,
    namespace: config.namespace,
    now: () => Date.now(),
  });
  store.onFamily = (f, added) => {
    if (added) registry.registerMetric(f as unknown as client.Metric);
    else registry.removeSingleMetric(f.name);
  };
  const token = config.auth_token && !config.auth_token.isEmpty ? digest(config.auth_token.reveal()) : undefined;
  let lastLimitWarn = -Infinity;

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are on /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (token) {
      const h = req.headers.authorization;
      if (!h || !h.startsWith('Bearer ') || !timingSafeEqual(digest(h.slice(7).trim()), token)) {
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="edgetail"' }).end();
        return;
      }
    }
    store.expire();
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (err: unknown) => {
        ctx.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'formatting /metrics failed');
        res.writeHead(500).end();
      },
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  const { host, port } = splitAddress(config.address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  ctx.logger.info({ address: `${addr.address}:${addr.port}` }, 'prometheus_exporter listening on /metrics');

  return {
    address: { host: addr.address, port: addr.port },
    store,
    serial: true,
    encode(events: Event[]): MetricEvent[] {
      const out: MetricEvent[] = [];
      for (let i = 0; i < events.length; i++) if (events[i]!.type === 'metric') out.push(events[i] as MetricEvent);
      return out;
    },
    async send(events: MetricEvent[]) {
      const r = store.apply(events);
      if (r.invalid > 0) ctx.metrics.discarded(r.invalid, 'invalid_metric');
      if (r.conflicts > 0) {
        ctx.metrics.discarded(r.conflicts, 'type_conflict');
        ctx.metrics.error('type_conflict', 'processing');
      }
      if (r.overLimit > 0) {
        ctx.metrics.discarded(r.overLimit, 'series_limit');
        const now = Date.now();
        if (now - lastLimitWarn > 60_000) {
          lastLimitWarn = now;
          ctx.logger.warn({ max_series: config.max_series, refused: r.overLimit }, 'prometheus_exporter: max_series reached; events of new series are discarded');
        }
      }
      return OK;
    },
    payloadBytes: (events) => events.length * 64,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
