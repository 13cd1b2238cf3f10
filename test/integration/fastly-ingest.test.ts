/**
 * A fleet in miniature, all real CLIs: two agents (file source → `fastly` sink) post rt records to
 * one collector (`api.fastly_api_keys`); agent B goes through a faulty proxy that first answers 503,
 * then forwards a post but drops the collector's answer, so B re-sends records the collector already
 * merged. The collector's `/v1/channel/{sid}/ts/h` must equal what both agents saw, computed here
 * from the input lines. Then a third CLI with a `fastly_realtime` source polls the collector's rt
 * API into a file sink and must reproduce the same numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { apiAddress, startEdgetail, type Running } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/context.js';

const KEY = 'collector-fastly-key-7f3a';
const SID = 'fleetSvc01';
const POPS = ['IAD', 'LHR', 'FRA'];
const STATES = ['HIT', 'MISS', 'PASS', 'HIT-CLUSTER', 'HITPASS', 'ERROR', 'MISS-CLUSTER', 'HIT-STALE'];
const STATUSES = [200, 200, 206, 304, 404, 503, 200, 500];
const KEYS = ['requests', 'hits', 'miss', 'pass', 'errors', 'status_2xx', 'status_3xx', 'status_4xx', 'status_5xx', 'resp_body_bytes'] as const;
type Counts = Record<(typeof KEYS)[number], number>;

/** Lines of one agent: `n` requests over `secs` seconds starting at `t0`; some shield hops. */
function lines(seed: number, n: number, t0: number, secs: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = i * 7 + seed;
    const sec = t0 + (i % secs);
    const rec: Record<string, unknown> = {
      timestamp: new Date(sec * 1000 + ((k * 13) % 1000)).toISOString(),
      client_ip: '203.0.113.7',
      host: 'dl.k8s.io',
      url: '/release/v1.28.0/bin/linux/amd64/kubectl',
      method: 'GET',
      status: STATUSES[k % STATUSES.length],
      cache_state: STATES[(k >> 1) % STATES.length],
      resp_body_bytes: 1000 + ((k * 131) % 5000),
      resp_bytes: 1400 + ((k * 131) % 5000),
      pop: POPS[(k >> 2) % POPS.length],
      elapsed_us: (k * 977) % 40_000,
      is_edge: k % 9 !== 0,
    };
    out.push(JSON.stringify(rec));
  }
  return out;
}

/** Independent expected counts: second → POP ('' = aggregated) → counts (PROTOCOLS.md mapping). */
function expected(all: string[]): Map<number, Map<string, Counts>> {
  const out = new Map<number, Map<string, Counts>>();
  const zero = (): Counts => Object.fromEntries(KEYS.map((k) => [k, 0])) as Counts;
  for (const line of all) {
    const r = JSON.parse(line) as { timestamp: string; status: number; cache_state: string; resp_body_bytes: number; pop: string; is_edge: boolean };
    if (!r.is_edge) continue;
    const sec = Math.floor(Date.parse(r.timestamp) / 1000);
    let m = out.get(sec);
    if (!m) out.set(sec, (m = new Map()));
    for (const pop of ['', r.pop]) {
      let c = m.get(pop);
      if (!c) m.set(pop, (c = zero()));
      c.requests++;
      const base = r.cache_state.replace(/-CLUSTER$/, '');
      if (base === 'HIT' || base === 'HIT-STALE') c.hits++;
      else if (base === 'MISS') c.miss++;
      else if (base === 'PASS' || base === 'HITPASS') c.pass++;
      else if (base === 'ERROR') c.errors++;
      c[`status_${String(r.status)[0]}xx` as keyof Counts]++;
      c.resp_body_bytes += r.resp_body_bytes;
    }
  }
  return out;
}

interface RtBody {
  Timestamp: number;
  Data: Array<{ recorded: number; aggregated: Record<string, number>; datacenter: Record<string, Record<string, number>> }>;
  error?: string;
}

/** The rt answer in the same shape as expected(). */
function fromRt(body: RtBody): Map<number, Map<string, Counts>> {
  const out = new Map<number, Map<string, Counts>>();
  const pick = (s: Record<string, number>): Counts => Object.fromEntries(KEYS.map((k) => [k, s[k] ?? 0])) as Counts;
  for (const d of body.Data) {
    const m = new Map<string, Counts>([['', pick(d.aggregated)]]);
    for (const [pop, s] of Object.entries(d.datacenter)) m.set(pop, pick(s));
    out.set(d.recorded, m);
  }
  return out;
}

const plain = (m: Map<number, Map<string, Counts>>) => Object.fromEntries([...m].sort((a, b) => a[0] - b[0]).map(([s, p]) => [s, Object.fromEntries([...p].sort())]));

async function apiPort(r: Running): Promise<number> {
  const addr = await waitFor(() => apiAddress(r), 'the collector API to listen', 60_000);
  return Number(addr.slice(addr.lastIndexOf(':') + 1));
}

/**
 * In front of the collector for agent B: post 1 → 503 (not forwarded); post 2 → forwarded, the
 * collector's answer dropped (socket destroyed); later posts pass through. Keeps the collector's answers.
 */
async function faultyProxy(target: number): Promise<{ server: Server; port: number; answers: Array<Record<string, number>>; posts: () => number }> {
  let posts = 0;
  const answers: Array<Record<string, number>> = [];
  const server = createServer((req, res) => {
    const n = ++posts;
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      if (n === 1) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"msg":"warming up"}');
        return;
      }
      const up = request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers }, (ur) => {
        const body: Buffer[] = [];
        ur.on('data', (d: Buffer) => body.push(d));
        ur.on('end', () => {
          if (ur.statusCode === 200) answers.push(JSON.parse(Buffer.concat(body).toString()) as Record<string, number>);
          if (n === 2) {
            res.socket?.destroy(); // merged at the collector, but the agent never hears so
            return;
          }
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          res.end(Buffer.concat(body));
        });
      });
      up.on('error', () => res.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, answers, posts: () => posts };
}

function agentConfig(dir: string, name: string, endpoint: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    [
      `data_dir: ${join(dir, `data-${name}`)}`,
      'api: { enabled: false }',
      'sources:',
      `  edge: { type: file, include: ["${join(dir, `${name}.log`)}"], start_at: beginning, format: fastly_json }`,
      'sinks:',
      '  fastly:',
      '    type: fastly',
      '    inputs: [edge]',
      `    endpoint: ${endpoint}`,
      `    api_key: ${KEY}`,
      `    service_id: ${SID}`,
      '    batch: { max_events: 40, timeout_secs: 0.2 }',
      '    request: { concurrency: 2, retry_initial_backoff_secs: 0.2, retry_max_backoff_secs: 1 }',
    ].join('\n'),
  );
  return path;
}

async function stop(r: Running | undefined): Promise<void> {
  if (!r || r.child.exitCode !== null || r.child.signalCode !== null) return;
  r.child.kill('SIGTERM');
  await r.exited;
}

async function rtH(port: number): Promise<RtBody> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/channel/${SID}/ts/h`, { headers: { 'fastly-key': KEY } });
  assert.equal(res.status, 200);
  return (await res.json()) as RtBody;
}

test('two agents → one collector: rt totals equal what the agents saw, retries included; fastly_realtime reproduces them', { timeout: 180_000 }, async () => {
  const dir = tempDir('edgetail-fastly-');
  let collector: Running | undefined, a: Running | undefined, b: Running | undefined, poller: Running | undefined;
  let proxy: Awaited<ReturnType<typeof faultyProxy>> | undefined;
  try {
    // Seconds well inside the last 120 s that ts/h serves, and complete (older than AggregateDelay).
    const t0 = Math.floor(Date.now() / 1000) - 40;
    const la = lines(1, 300, t0, 6);
    const lb = lines(2, 260, t0 + 2, 6); // overlaps A's seconds t0+2..t0+5
    writeFileSync(join(dir.path, 'a.log'), la.join('\n') + '\n');
    writeFileSync(join(dir.path, 'b.log'), lb.join('\n') + '\n');
    writeFileSync(join(dir.path, 'none.log'), '');
    const want = expected([...la, ...lb]);
    const wantTotal = [...want.values()].reduce((n, m) => n + m.get('')!.requests, 0);
    assert.equal(want.size, 8);

    const collectorYaml = join(dir.path, 'collector.yaml');
    writeFileSync(
      collectorYaml,
      [
        `data_dir: ${join(dir.path, 'data-collector')}`,
        `api: { address: "127.0.0.1:0", fastly_api_keys: ["${KEY}"] }`,
        'sources:',
        `  local: { type: file, include: ["${join(dir.path, 'none.log')}"], format: fastly_json }`,
        'sinks:',
        '  live: { type: live, inputs: [local], service_id: local }',
      ].join('\n'),
    );
    collector = startEdgetail(['run', '--config', collectorYaml], { EDGETAIL_LOG: 'info' });
    const port = await apiPort(collector);
    proxy = await faultyProxy(port);

    a = startEdgetail(['run', '--config', agentConfig(dir.path, 'a', `http://127.0.0.1:${port}`)]);
    b = startEdgetail(['run', '--config', agentConfig(dir.path, 'b', `http://127.0.0.1:${proxy.port}`)]);

    // Until everything arrived (a double count would also get past this, and fail below).
    await waitFor(async () => {
      const body = await rtH(port);
      return body.Data.reduce((n, d) => n + (d.aggregated.requests ?? 0), 0) >= wantTotal;
    }, 'all requests at the collector', 90_000);
    await waitFor(() => proxy!.answers.length >= 2, 'agent B posts after the dropped answer');
    // Graceful stop drains the sinks: no re-send can arrive after this.
    await stop(a);
    await stop(b);
    assert.equal(a.stderr().includes('"level":50'), false, a.stderr());

    const got = fromRt(await rtH(port));
    assert.deepEqual(plain(got), plain(want));
    // The dropped answer made B re-send records the collector had merged: they were recognised.
    assert.ok(proxy.answers.some((x) => x.duplicates! > 0), `a re-sent record reached the collector: ${JSON.stringify(proxy.answers)}`);
    assert.ok(proxy.answers.every((x) => x.late === 0 && x.future === 0));

    // fastly_realtime against the collector's rt API → file sink.
    const out = join(dir.path, 'rt-metrics.ndjson');
    const pollerYaml = join(dir.path, 'poller.yaml');
    writeFileSync(
      pollerYaml,
      [
        `data_dir: ${join(dir.path, 'data-poller')}`,
        'api: { enabled: false }',
        'sources:',
        `  rt: { type: fastly_realtime, endpoint: "http://127.0.0.1:${port}", api_key: ${KEY}, service_ids: [${SID}], start_at: history, interval_secs: 0.2 }`,
        'sinks:',
        `  out: { type: file, inputs: [rt], path: "${out}", batch: { timeout_secs: 0.2 } }`,
      ].join('\n'),
    );
    poller = startEdgetail(['run', '--config', pollerYaml]);
    const fromFile = (): Map<number, Map<string, Counts>> => {
      const m = new Map<number, Map<string, Counts>>();
      if (!existsSync(out)) return m;
      for (const l of readFileSync(out, 'utf8').split('\n')) {
        if (l === '') continue;
        const e = JSON.parse(l) as { name: string; kind: string; value?: number; timestamp: string; tags: Record<string, string> };
        const key = e.name.replace(/^fastly_rt_/, '');
        if (e.kind !== 'counter' || !(KEYS as readonly string[]).includes(key)) continue;
        assert.equal(e.tags.service_id, SID);
        const sec = Date.parse(e.timestamp) / 1000;
        let p = m.get(sec);
        if (!p) m.set(sec, (p = new Map()));
        const pop = e.tags.datacenter === 'aggregated' ? '' : e.tags.datacenter!;
        let c = p.get(pop);
        if (!c) p.set(pop, (c = Object.fromEntries(KEYS.map((k) => [k, 0])) as Counts));
        c[key as keyof Counts] += e.value!;
      }
      return m;
    };
    await waitFor(() => fromFile().size >= want.size, 'the poller to write every second', 60_000, 200);
    await stop(poller);
    assert.deepEqual(plain(fromFile()), plain(want));
  } finally {
    await Promise.all([stop(a), stop(b), stop(poller)]);
    await stop(collector);
    if (proxy) await new Promise<void>((r) => { proxy!.server.close(() => r()); proxy!.server.closeAllConnections(); });
    dir.cleanup();
  }
});
