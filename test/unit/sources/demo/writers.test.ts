import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CutoverScenario, type DemoRecord } from '../../../../src/sources/demo/scenario.js';
import { GCS_HEADER, toCombined, toFastlyJson, toGcsUsage } from '../../../../src/sources/demo/writers.js';
import { getFormat, ParseFailure, SKIP, type Parsed, type ParseOutcome } from '../../../../src/formats/index.js';

const START = Date.UTC(2024, 4, 1, 12, 0, 0);

function records(n: number): DemoRecord[] {
  const s = new CutoverScenario({ seed: 21, startMs: START, durationSecs: 600 });
  const out: DemoRecord[] = [];
  for (let i = 0; i < n; i++) out.push(s.next(START + i * 37 + (i % 1000)));
  return out;
}

function parsed(o: ParseOutcome): Parsed {
  assert.ok(!(o instanceof ParseFailure) && o !== SKIP, `did not parse: ${o instanceof ParseFailure ? o.reason : 'skipped'}`);
  return o as Parsed;
}

/** A hand-made record with every trap the escaping must survive. */
function tricky(layer: 'edge' | 'origin'): DemoRecord {
  return {
    kind: layer === 'edge' ? 'edge' : 'bypass', layer, timestamp: Date.UTC(2024, 4, 1, 12, 0, 0, 7), client_ip: '2001:db8::42', ipv6: true,
    geo_country: 'US', geo_region: 'VA', asn: 64500, host: layer === 'edge' ? 'dl.k8s.io' : 'storage.googleapis.com', method: 'GET',
    url: '/release/v1.28.0/bin/linux/amd64/kubectl?x="y"', path: '/release/v1.28.0/bin/linux/amd64/kubectl', query: 'x="y"',
    protocol: 'HTTP/1.1', tls_version: 'TLSv1.2', status: 200, cache_state: 'HIT', req_bytes: 0, resp_bytes: 49864192,
    resp_body_bytes: 49864192, elapsed_us: 1_234_567, pop: 'IAD', node: 'cache-iad-kiad7000123', is_edge: true,
    user_agent: 'Tool "quoted" \\ back', referer: 'https://example.com/?a="b"', service_id: 'svc', request_id: 'ADPycX',
    bucket: 'kubernetes-release', object: 'release/v1.28.0/bin/linux/amd64/kubectl', operation: 'GET_Object', via_cdn: false,
  };
}

describe('writers round-trip through the real parsers', () => {
  test('fastly_json: every canonical field comes back unchanged', () => {
    const fmt = getFormat('fastly_json');
    let n = 0;
    for (const r of records(4000)) {
      if (r.layer !== 'edge') continue;
      n++;
      const p = parsed(fmt.parse(toFastlyJson(r)));
      assert.equal(p.timestamp, r.timestamp);
      const expected: Record<string, unknown> = {
        layer: 'edge', client_ip: r.client_ip, geo_country: r.geo_country, geo_region: r.geo_region, asn: r.asn, host: r.host,
        method: r.method, url: r.url, path: r.path, protocol: r.protocol, tls_version: r.tls_version, status: r.status,
        cache_state: r.cache_state, req_bytes: r.req_bytes, resp_bytes: r.resp_bytes, resp_body_bytes: r.resp_body_bytes,
        elapsed_us: r.elapsed_us, pop: r.pop, node: r.node, is_edge: r.is_edge, user_agent: r.user_agent, referer: r.referer,
        service_id: r.service_id, request_id: r.request_id,
      };
      assert.deepEqual(p.fields, expected);
    }
    assert.ok(n > 1000, `records: ${n}`);
  });

  test('gcs_usage: columns map back; time_micros is the completion time and parses back to the start', () => {
    const fmt = getFormat('gcs_usage');
    assert.equal(fmt.parse(GCS_HEADER), SKIP);
    let n = 0;
    for (const r of records(4000)) {
      if (r.layer !== 'origin') continue;
      n++;
      const line = toGcsUsage(r);
      const p = parsed(fmt.parse(line));
      assert.equal(p.timestamp, r.timestamp);
      const expected: Record<string, unknown> = {
        layer: 'origin', client_ip: r.client_ip, method: r.method, url: r.url, path: r.path, status: r.status,
        req_bytes: r.req_bytes, resp_bytes: r.resp_bytes, elapsed_us: r.elapsed_us, host: r.host, user_agent: r.user_agent,
        request_id: r.request_id, operation: r.operation, bucket: r.bucket, object: r.object,
      };
      if (r.query !== '') expected.query = r.query;
      if (r.referer !== '') expected.referer = r.referer;
      assert.deepEqual(p.fields, expected);
    }
    assert.ok(n > 1000, `records: ${n}`);
  });

  test('combined: what the format carries comes back (whole seconds, "-" for no body)', () => {
    const fmt = getFormat('combined');
    let zero = 0;
    for (const r of records(3000)) {
      if (r.layer !== 'edge') continue;
      const p = parsed(fmt.parse(toCombined(r)));
      assert.equal(p.timestamp, Math.floor(r.timestamp / 1000) * 1000);
      const f = p.fields;
      assert.equal(f.client_ip, r.client_ip);
      assert.equal(f.method, r.method);
      assert.equal(f.url, r.url);
      assert.equal(f.path, r.path);
      assert.equal(f.protocol, r.protocol);
      assert.equal(f.status, r.status);
      assert.equal(f.user_agent, r.user_agent);
      assert.equal(f.referer, r.referer === '' ? undefined : r.referer);
      if (r.resp_body_bytes === 0) zero++;
      assert.equal(f.resp_body_bytes, r.resp_body_bytes === 0 ? undefined : r.resp_body_bytes);
    }
    assert.ok(zero > 0, 'some HEAD / 304 lines without a body');
  });

  test('quotes and backslashes survive every writer', () => {
    const e = tricky('edge');
    const fj = parsed(getFormat('fastly_json').parse(toFastlyJson(e)));
    assert.equal(fj.fields.user_agent, e.user_agent);
    assert.equal(fj.fields.referer, e.referer);
    assert.equal(fj.fields.url, e.url);
    assert.equal(fj.fields.query, 'x="y"');
    const cb = parsed(getFormat('combined').parse(toCombined(e)));
    assert.equal(cb.fields.user_agent, e.user_agent);
    assert.equal(cb.fields.referer, e.referer);
    assert.equal(cb.fields.url, e.url);
    const o = tricky('origin');
    const gcs = parsed(getFormat('gcs_usage').parse(toGcsUsage(o)));
    assert.equal(gcs.fields.user_agent, o.user_agent);
    assert.equal(gcs.fields.url, o.url);
    assert.equal(gcs.fields.referer, o.referer);
  });

  test('exact line shapes (PROTOCOLS.md)', () => {
    const o = tricky('origin');
    // time_micros = 1714564800007 ms × 1000 + 1234567 µs
    assert.equal(
      toGcsUsage(o),
      '"1714564801241567","2001:db8::42","2","","GET","/release/v1.28.0/bin/linux/amd64/kubectl?x=""y""","200","0","49864192",' +
        '"1234567","storage.googleapis.com","https://example.com/?a=""b""","Tool ""quoted"" \\ back","ADPycX","GET_Object",' +
        '"kubernetes-release","release/v1.28.0/bin/linux/amd64/kubectl"',
    );
    assert.equal(GCS_HEADER.split(',').length, 17);
    const e = { ...tricky('edge'), url: '/release/stable.txt', user_agent: 'curl/8.4.0', referer: '', resp_body_bytes: 0 };
    assert.equal(toCombined(e), '2001:db8::42 - - [01/May/2024:12:00:00 +0000] "GET /release/stable.txt HTTP/1.1" 200 - "-" "curl/8.4.0"');
    const j = JSON.parse(toFastlyJson(e)) as Record<string, unknown>;
    assert.equal(j.timestamp, '2024-05-01T12:00:00.007Z');
    assert.equal(j.is_edge, true);
    assert.equal(j.status, 200);
  });
});
