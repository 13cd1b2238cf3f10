/** prometheus_scrape: exposition → MetricEvents (expected values written out by hand), errors, timeout, auth. */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Source, SourceContext } from '../../../../src/core/component.js';
import type { Event, MetricEvent } from '../../../../src/core/event.js';
import { prometheusScrapeSource } from '../../../../src/sources/prometheus_scrape/index.js';
import { prometheusScrapeSchema } from '../../../../src/sources/prometheus_scrape/config.js';
import { testContext, waitFor } from '../../../helpers/context.js';

const EXPOSITION = `# HELP edge_requests_total Requests.
# TYPE edge_requests_total counter
edge_requests_total{pop="IAD",code="200"} 1027
edge_requests_total{pop="IAD",code="503"} 3 1714564800000
# TYPE edge_conns gauge
edge_conns 12.5
edge_conns{pop="bad"} NaN
# TYPE old counter
old_total 7
untyped_thing{a="b"} 2
# TYPE lat_seconds histogram
lat_seconds_bucket{pop="IAD",le="0.5"} 2
lat_seconds_bucket{pop="IAD",le="0.1"} 1
lat_seconds_bucket{pop="IAD",le="+Inf"} 4
lat_seconds_sum{pop="IAD"} 3.25
lat_seconds_count{pop="IAD"} 4
lat_seconds_bucket{pop="AMS",le="0.1"} 0
lat_seconds_bucket{pop="AMS",le="0.5"} 5
lat_seconds_bucket{pop="AMS",le="+Inf"} 6
lat_seconds_sum{pop="AMS"} 2
lat_seconds_count{pop="AMS"} 6
# TYPE rpc summary
rpc{quantile="0.5"} 0.2
rpc{quantile="0.99"} 0.9
rpc_sum 12
rpc_count 30
`;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(h: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer(h);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, server };
}

function sourceCtx() {
  const base = testContext('scrape', 'prometheus_scrape');
  const batches: Event[][] = [];
  const abort = new AbortController();
  const ctx: SourceContext & { metrics: typeof base.metrics } = { ...base, signal: abort.signal, emit: async (evs) => void batches.push(evs) };
  return { ctx, batches, abort };
}

const pick = (e: MetricEvent) => ({ name: e.name, kind: e.kind, value: e.value, tags: e.tags, buckets: e.buckets, sum: e.sum, count: e.count });

describe('prometheus_scrape source', () => {
  const servers: Server[] = [];
  const sources: Source[] = [];
  after(async () => {
    for (const s of sources) await s.stop();
    for (const s of servers) await new Promise((r) => { s.closeAllConnections(); s.close(r); });
  });
  async function start(cfg: Record<string, unknown>) {
    const config = prometheusScrapeSchema.parse({ type: 'prometheus_scrape', ...cfg });
    const { ctx, batches, abort } = sourceCtx();
    const src = await prometheusScrapeSource.build(config, ctx);
    sources.push(src);
    await src.start();
    return { src, ctx, batches, abort };
  }

  test('one scrape: every family type becomes the MetricEvents internal_metrics would emit', async () => {
    let auth: string | undefined;
    const s = await serve((req, res) => {
      auth = req.headers.authorization;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(EXPOSITION);
    });
    servers.push(s.server);
    const before = Date.now();
    const { batches, ctx } = await start({ endpoints: [s.url], interval_secs: 3600, auth: { bearer: 'tok-1' }, instance_tag: 'instance' });
    await waitFor(() => batches.length === 1, 'first scrape');
    assert.equal(auth, 'Bearer tok-1');
    const inst = new URL(s.url).host;
    const evs = batches[0] as MetricEvent[];
    assert.deepEqual(evs.map(pick), [
      { name: 'edge_requests_total', kind: 'counter', value: 1027, tags: { pop: 'IAD', code: '200', instance: inst }, buckets: undefined, sum: undefined, count: undefined },
      { name: 'edge_requests_total', kind: 'counter', value: 3, tags: { pop: 'IAD', code: '503', instance: inst }, buckets: undefined, sum: undefined, count: undefined },
      { name: 'edge_conns', kind: 'gauge', value: 12.5, tags: { instance: inst }, buckets: undefined, sum: undefined, count: undefined },
      { name: 'old_total', kind: 'counter', value: 7, tags: { instance: inst }, buckets: undefined, sum: undefined, count: undefined },
      { name: 'untyped_thing', kind: 'gauge', value: 2, tags: { a: 'b', instance: inst }, buckets: undefined, sum: undefined, count: undefined },
      // two label sets, with labelled _sum/_count (parse-prometheus-text-format alone folds these into one)
      { name: 'lat_seconds', kind: 'histogram', value: undefined, tags: { pop: 'IAD', instance: inst }, buckets: [{ le: 0.1, count: 1 }, { le: 0.5, count: 2 }, { le: Infinity, count: 4 }], sum: 3.25, count: 4 },
      { name: 'lat_seconds', kind: 'histogram', value: undefined, tags: { pop: 'AMS', instance: inst }, buckets: [{ le: 0.1, count: 0 }, { le: 0.5, count: 5 }, { le: Infinity, count: 6 }], sum: 2, count: 6 },
      { name: 'rpc', kind: 'gauge', value: 0.2, tags: { quantile: '0.5', instance: inst }, buckets: undefined, sum: undefined, count: undefined },
      { name: 'rpc', kind: 'gauge', value: 0.9, tags: { quantile: '0.99', instance: inst }, buckets: undefined, sum: undefined, count: undefined },
      { name: 'rpc_sum', kind: 'counter', value: 12, tags: { instance: inst }, buckets: undefined, sum: undefined, count: undefined },
      { name: 'rpc_count', kind: 'counter', value: 30, tags: { instance: inst }, buckets: undefined, sum: undefined, count: undefined },
    ]);
    assert.equal(evs[1]!.timestamp, 1714564800000);
    assert.ok(evs[0]!.timestamp >= before);
    assert.equal(ctx.metrics.counts.discarded.non_finite_value, 1);
    assert.equal(ctx.metrics.counts.received, 11);
  });

  test('errors are counted by type and do not stop the other endpoints; timeouts end the request', async () => {
    const ok = await serve((_q, res) => res.writeHead(200).end('up 1\n'));
    const bad = await serve((_q, res) => res.writeHead(500).end('boom'));
    const garbage = await serve((_q, res) => res.writeHead(200).end('this is { not prometheus\n'));
    const hang = await serve(() => {}); // never answers
    servers.push(ok.server, bad.server, garbage.server, hang.server);
    const { batches, ctx, src } = await start({ endpoints: [ok.url, bad.url, garbage.url, hang.url], interval_secs: 0.5, timeout_secs: 0.3 });
    await waitFor(() => (ctx.metrics.counts.errors['timeout/receiving'] ?? 0) >= 2 && batches.length >= 2, 'two rounds');
    await src.stop();
    const e = ctx.metrics.counts.errors;
    assert.ok(e['http_error/receiving']! >= 2, JSON.stringify(e));
    assert.ok(e['parse_failed/decoding']! >= 2, JSON.stringify(e));
    assert.deepEqual(batches.map((b) => (b as MetricEvent[]).map((x) => `${x.name}=${x.value}`)).slice(0, 2), [['up=1'], ['up=1']]);
    const d = src.describe!() as { endpoints: Array<{ failures: number; last_error?: string }> };
    assert.equal(d.endpoints[0]!.failures, 0);
    assert.match(d.endpoints[1]!.last_error!, /^HTTP 500: boom/);
  });

  test('counter_mode incremental reports changes between scrapes', async () => {
    let n = 0;
    const s = await serve((_q, res) => res.writeHead(200).end(`# TYPE c_total counter\nc_total ${[10, 15, 40][Math.min(n++, 2)]}\n`));
    servers.push(s.server);
    const { batches, src } = await start({ endpoints: [s.url], interval_secs: 0.05, counter_mode: 'incremental' });
    await waitFor(() => batches.length >= 3, 'three scrapes');
    await src.stop();
    assert.deepEqual(batches.slice(0, 3).map((b) => (b[0] as MetricEvent).value), [10, 5, 25]);
  });

  test('config: timeout above the interval and bad URLs name their key', () => {
    const r = prometheusScrapeSchema.safeParse({ type: 'prometheus_scrape', endpoints: ['ftp://x'], interval_secs: 5, timeout_secs: 6 });
    assert.deepEqual(r.error!.issues.map((i) => i.path.join('.')).sort(), ['endpoints.0', 'timeout_secs']);
    const r2 = prometheusScrapeSchema.safeParse({ type: 'prometheus_scrape', endpoints: ['http://x/m'], interval_secs: 5, timeout_secs: 6 });
    assert.deepEqual(r2.error!.issues.map((i) => i.path.join('.')), ['timeout_secs']);
  });
});
