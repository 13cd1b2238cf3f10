import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { CutoverScenario, KIND_EDGE, ORIGIN_LAYER, type DemoRecord } from '../../../../src/sources/demo/scenario.js';
import { toFastlyJson, toGcsUsage } from '../../../../src/sources/demo/writers.js';
import { packageRoot } from '../../../../src/core/paths.js';

const START = Date.UTC(2024, 4, 1, 12, 0, 0);
const MINUTE = 60_000;

/** Fastly's published ranges, from the shipped list, checked with ipaddr.js (not the ip_match code). */
const list = JSON.parse(readFileSync(join(packageRoot(), 'config', 'fastly-public-ip-list.json'), 'utf8')) as { addresses: string[]; ipv6_addresses: string[] };
const ranges = [...list.addresses, ...list.ipv6_addresses].map((c) => ipaddr.parseCIDR(c));
function inFastly(ip: string): boolean {
  const a = ipaddr.parse(ip);
  return ranges.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
}

function lines(seed: number, n: number): string[] {
  const s = new CutoverScenario({ seed, startMs: START });
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = s.next(START + i * 100);
    out.push(r.layer === 'edge' ? toFastlyJson(r) : toGcsUsage(r));
  }
  return out;
}

/** 11 minutes of records, 100 per scenario second, grouped in 1-minute windows. */
function windows(seed: number): DemoRecord[][] {
  const s = new CutoverScenario({ seed, startMs: START, durationSecs: 600 });
  const out: DemoRecord[][] = [];
  for (let m = 0; m < 11; m++) {
    const w: DemoRecord[] = [];
    for (let i = 0; i < 6000; i++) w.push(s.next(START + m * MINUTE + i * 10));
    out.push(w);
  }
  return out;
}

/** Total demand = edge requests with is_edge + origin requests from outside the CDN's ranges. */
function bypassShare(w: DemoRecord[]): number {
  let edge = 0;
  let bypass = 0;
  for (const r of w) {
    if (r.layer === 'edge' && r.is_edge) edge++;
    else if (r.layer === 'origin' && !inFastly(r.client_ip)) bypass++;
  }
  return bypass / (edge + bypass);
}

describe('CutoverScenario', () => {
  test('the same seed gives the same lines; another seed other lines', () => {
    const a = lines(7, 3000);
    assert.deepEqual(lines(7, 3000), a);
    const b = lines(8, 3000);
    assert.notDeepEqual(b, a);
    assert.equal(new Set(a).size, a.length, 'request ids make every line distinct');
  });

  test('the share of demand bypassing the CDN falls from > 60% to < 25% over 10 minutes, then stays low', () => {
    const ws = windows(3);
    const shares = ws.map(bypassShare);
    assert.ok(shares[0]! > 0.6, `first minute: ${shares[0]}`);
    assert.ok(shares[9]! < 0.25, `last minute: ${shares[9]}`);
    assert.ok(shares[10]! < 0.25, `after the scenario: ${shares[10]}`);
    for (let i = 1; i < 10; i++) assert.ok(shares[i]! <= shares[i - 1]! + 0.02, `minute ${i}: ${shares[i]} after ${shares[i - 1]}`);
  });

  test('cache fills come only from Fastly ranges, bypassing clients never do', () => {
    let fills = 0;
    let bypass = 0;
    for (const w of windows(5)) {
      for (const r of w) {
        if (r.layer !== 'origin') continue;
        assert.equal(inFastly(r.client_ip), r.via_cdn, `${r.client_ip} via_cdn=${r.via_cdn}`);
        if (r.via_cdn) {
          fills++;
          assert.equal(r.host, 'kubernetes-release.storage.googleapis.com');
        } else {
          bypass++;
          assert.equal(r.host, 'storage.googleapis.com');
        }
        assert.equal(r.bucket, 'kubernetes-release');
        assert.ok(r.path.startsWith('/kubernetes-release/'), r.path);
        assert.equal('/' + r.bucket + '/' + r.object, r.path);
      }
    }
    assert.ok(fills > 500 && bypass > 500, `fills ${fills}, bypass ${bypass}`);
  });

  test('edge clients are not Fastly addresses; shield hops (is_edge false) are', () => {
    let shield = 0;
    for (const r of windows(9)[4]!) {
      if (r.layer !== 'edge') continue;
      assert.equal(inFastly(r.client_ip), !r.is_edge, r.client_ip);
      if (!r.is_edge) shield++;
    }
    assert.ok(shield > 50, `shield hops: ${shield}`);
  });

  test('the cache warms up: MISS share and cache fills per edge request fall', () => {
    const ws = windows(11);
    const stats = (w: DemoRecord[]) => {
      const edge = w.filter((r) => r.layer === 'edge' && r.is_edge);
      const fills = w.filter((r) => r.layer === 'origin' && inFastly(r.client_ip)).length;
      return { miss: edge.filter((r) => r.cache_state === 'MISS').length / edge.length, fillsPerEdge: fills / edge.length };
    };
    const first = stats(ws[0]!);
    const last = stats(ws[9]!);
    assert.ok(first.miss > 0.15 && last.miss < 0.08, `MISS share ${first.miss} → ${last.miss}`);
    assert.ok(first.fillsPerEdge > 2 * last.fillsPerEdge, `fills per edge request ${first.fillsPerEdge} → ${last.fillsPerEdge}`);
  });

  test('records look like Kubernetes downloads', () => {
    const all = windows(13).flat();
    const edge = all.filter((r) => r.layer === 'edge');
    const statuses = new Set(all.map((r) => r.status));
    for (const s of [200, 206, 304, 404]) assert.ok(statuses.has(s), `status ${s}`);
    assert.ok([...statuses].some((s) => s >= 500), 'some 5xx');
    assert.deepEqual(new Set(edge.map((r) => r.cache_state)), new Set(['HIT', 'MISS', 'PASS', 'HIT-STALE']));
    assert.deepEqual(new Set(edge.map((r) => r.host)), new Set(['dl.k8s.io', 'cdn.dl.k8s.io']));
    assert.deepEqual(new Set(all.map((r) => r.method)), new Set(['GET', 'HEAD']));
    assert.ok(all.some((r) => r.ipv6) && all.some((r) => !r.ipv6), 'IPv4 and IPv6 clients');
    for (const r of all) assert.equal(r.ipv6, ipaddr.parse(r.client_ip).kind() === 'ipv6');
    const pops = new Set(edge.map((r) => r.pop));
    for (const p of ['IAD', 'FRA', 'NRT', 'GRU', 'SYD', 'LHR', 'CHI', 'SJC']) assert.ok(pops.has(p), p);
    for (const r of edge) {
      assert.match(r.node, new RegExp(`^cache-${r.pop.toLowerCase()}-k${r.pop.toLowerCase()}\\d{7}$`));
      assert.match(r.path, /^\/release\/(stable(-1\.\d+)?\.txt|latest\.txt|v1\.\d+\.\d+\/bin\/|v1\.31\.99\/|latest\/)/);
      assert.equal(r.resp_bytes > r.resp_body_bytes, true);
    }
    // A full linux/amd64 kubectl is about 50 MB.
    const kubectl = edge.filter((r) => r.path.endsWith('/bin/linux/amd64/kubectl') && r.status === 200 && r.method === 'GET');
    assert.ok(kubectl.length > 100, `kubectl downloads: ${kubectl.length}`);
    for (const r of kubectl) assert.ok(r.resp_body_bytes > 40e6 && r.resp_body_bytes < 60e6, String(r.resp_body_bytes));
    const stable = edge.find((r) => r.path === '/release/stable.txt' && r.status === 200 && r.method === 'GET');
    assert.equal(stable?.resp_body_bytes, 'v1.31.4\n'.length);
    // user agents of every kind
    const uas = new Set(all.map((r) => r.user_agent));
    for (const re of [/^curl\//, /^Go-http-client\//, /^actions\/tool-cache$/, /Chrome\//, /Googlebot/, /^kubectl\//]) {
      assert.ok([...uas].some((u) => re.test(u)), String(re));
    }
  });

  test('a kinds mask restricts the kinds of records', () => {
    const s = new CutoverScenario({ seed: 2, startMs: START });
    for (let i = 0; i < 2000; i++) assert.equal(s.next(START, START, ORIGIN_LAYER).layer, 'origin');
    for (let i = 0; i < 2000; i++) {
      const r = s.next(START, START, KIND_EDGE);
      assert.equal(r.layer === 'edge' && r.is_edge, true);
    }
  });

  test('progress, bypass share and miss rate follow the documented curves', () => {
    const s = new CutoverScenario({ seed: 1, startMs: START, durationSecs: 600 });
    assert.equal(s.bypassShare(START - 1000), 0.8);
    assert.equal(s.bypassShare(START), 0.8);
    // 0.1 + 0.7 × (1 − 0.5)² = 0.275
    assert.ok(Math.abs(s.bypassShare(START + 300_000) - 0.275) < 1e-12, 'half way');
    assert.equal(s.bypassShare(START + 600_000), 0.1);
    assert.equal(s.bypassShare(START + 3_600_000), 0.1);
    assert.equal(s.missRate(START), 0.25);
    assert.ok(Math.abs(s.missRate(START + 600_000) - 0.04) < 1e-12, 'miss rate at the end');
  });
});
