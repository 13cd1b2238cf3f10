import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeLogEvent, type Event, type LogEvent } from '../../../../src/core/event.js';
import type { SendResult, SinkDriver } from '../../../../src/delivery/types.js';
import { datadogLogsSink } from '../../../../sinks/datadog_logs/index.js';
import { logsBaseUrl } from '../../../../sinks/datadog_logs/sink.js';
import { startDatadogReceiver, type DatadogReceiver } from '../../../helpers/datadog-receiver.js';
import { testContext, waitFor } from '../../../helpers/context.js';
import { repoRoot } from '../../../helpers/cli.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

function goldenEvents(): Event[] {
  const badRaw = 'not json "quoted"';
  return [
    makeLogEvent('edge', 'edge:a.log:0', T0, { client_ip: '203.0.113.7', host: 'dl.k8s.io', status: 200, cache_state: 'HIT', pop: 'IAD', node: 'cache-iad-kiad7000041' }, 'line0', 5),
    makeLogEvent('origin', 'origin:usage.csv:7', T0 + 1250, { layer: 'origin', status: 404, object: 'v1/kanji/集' }, 'line7', 5),
    makeLogEvent('edge', 'edge:a.log:1', T0 + 2000, { parse_error: 'expected a JSON object' }, badRaw, badRaw.length),
  ];
}

function events(n: number, pad = 0): LogEvent[] {
  const out: LogEvent[] = [];
  const filler = 'x'.repeat(pad);
  for (let i = 0; i < n; i++) out.push(makeLogEvent('edge', `e:${i}`, T0 + i, { pop: 'IAD', status: 200, i, ...(pad ? { filler } : {}) }, `l${i}`, 3 + pad));
  return out;
}

const META = { ddsource: 'fastly', ddtags: ['env:prod', 'team:cdn'], service: 'edge', hostname: 'edgetail-1' };

function reasonOf(r: SendResult): string {
  return r.kind === 'ok' ? '' : r.reason;
}

describe('datadog_logs sink against the strict intake', () => {
  let rx: DatadogReceiver;
  const drivers: SinkDriver[] = [];
  let ctx = testContext('dd', 'datadog_logs');
  const driver = async (extra: Record<string, unknown> = {}): Promise<SinkDriver> => {
    ctx = testContext('dd', 'datadog_logs');
    const cfg = datadogLogsSink.schema.parse({ type: 'datadog_logs', inputs: ['edge'], endpoint: rx.url, api_key: rx.apiKey, ...META, ...extra });
    const d = await datadogLogsSink.build(cfg, ctx);
    drivers.push(d);
    return d;
  };
  const roundTrip = async (d: SinkDriver, evs: Event[]): Promise<SendResult> => d.send(await d.encode(evs), AbortSignal.timeout(60_000));

  before(async () => { rx = await startDatadogReceiver(); });
  beforeEach(() => { rx.reset(); rx.clearFault(); });
  after(async () => {
    for (const d of drivers) await d.close?.();
    await rx.close();
  });

  test('site maps to the logs intake host; endpoint overrides it', () => {
    assert.equal(logsBaseUrl({ site: 'datadoghq.eu', endpoint: undefined }), 'https://http-intake.logs.datadoghq.eu');
    assert.equal(logsBaseUrl({ site: 'datadoghq.com', endpoint: 'http://127.0.0.1:1' }), 'http://127.0.0.1:1');
  });

  test('golden body: three hand-built events, gzip, DD-API-KEY', async () => {
    const d = await driver();
    assert.deepEqual(await roundTrip(d, goldenEvents()), { kind: 'ok' });
    assert.equal(rx.requests.length, 1);
    const r = rx.requests[0]!;
    assert.equal(r.path, '/api/v2/logs');
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.equal(r.headers['dd-api-key'], rx.apiKey);
    assert.ok(r.wireBytes < r.bytes, 'compressed on the wire');
    const golden = JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/golden/datadog-logs.json'), 'utf8'));
    assert.deepEqual(rx.logs, golden);
  });

  test('compression none and deflate are accepted too', async () => {
    for (const compression of ['none', 'deflate']) {
      rx.reset();
      const d = await driver({ compression });
      assert.equal((await roundTrip(d, events(5))).kind, 'ok');
      assert.equal(rx.requests[0]!.headers['content-encoding'], compression === 'none' ? undefined : 'deflate');
      assert.equal(rx.logs.length, 5);
    }
  });

  test('raw codec sends the original line as message', async () => {
    const d = await driver({ encoding: { codec: 'raw' } });
    assert.equal((await roundTrip(d, goldenEvents())).kind, 'ok');
    assert.deepEqual(rx.logs.map((e) => e.message), ['line0', 'line7', 'not json "quoted"']);
  });

  test('1,500 events: split into ≤1000-entry payloads, each event once, with metadata', async () => {
    const d = await driver();
    const p = (await d.encode(events(1500))) as { parts: unknown[][] };
    assert.deepEqual(p.parts.map((x) => x.length), [1000, 500]);
    assert.equal((await d.send(p, AbortSignal.timeout(60_000))).kind, 'ok');
    assert.deepEqual(rx.requests.map((r) => [r.status, r.entries]), [[202, 1000], [202, 500]]);
    const ids = rx.logs.map((e) => JSON.parse(e.message as string).event_id as string);
    assert.equal(new Set(ids).size, 1500);
    assert.deepEqual(ids.slice(0, 2), ['e:0', 'e:1']);
    for (const e of rx.logs) {
      assert.equal(e.ddsource, 'fastly');
      assert.equal(e.ddtags, 'env:prod,team:cdn');
      assert.equal(e.service, 'edge');
      assert.equal(e.hostname, 'edgetail-1');
    }
  });

  test('payloads stay under 5 MB uncompressed: 12 events of ~600 KB go in several requests', async () => {
    const d = await driver({ compression: 'none' });
    assert.equal((await roundTrip(d, events(12, 600_000))).kind, 'ok');
    assert.ok(rx.requests.length >= 2, `${rx.requests.length} requests`);
    for (const r of rx.requests) assert.ok(r.bytes <= 5_000_000, `payload of ${r.bytes} bytes`);
    assert.equal(rx.logs.length, 12);
    assert.equal(rx.oversizeEntries, 0);
  });

  test('an entry over 1 MB is truncated and counted', async () => {
    const d = await driver();
    const big = makeLogEvent('edge', 'big:0', T0, { blob: 'é'.repeat(700_000) }, 'x', 1_400_000);
    assert.equal((await roundTrip(d, [big, ...events(2)])).kind, 'ok');
    assert.equal(rx.logs.length, 3);
    assert.equal(rx.oversizeEntries, 0);
    const msg = rx.logs[0]!.message as string;
    assert.ok(Buffer.byteLength(msg) <= 1_000_000 && Buffer.byteLength(msg) >= 999_998, `${Buffer.byteLength(msg)} bytes`);
    assert.ok(msg.startsWith('{"timestamp":"2024-05-01T12:00:00.000Z","blob":"éé'));
    assert.ok(!msg.includes('\uFFFD'), 'cut on a character boundary');
    assert.equal(ctx.metrics.counts.errors['entry_truncated/encoding'], 1);
  });

  test('413 → the payload is split and every entry delivered once', async () => {
    const d = await driver();
    rx.setFault({ status: 413, overEntries: 300 });
    assert.deepEqual(await roundTrip(d, events(1000)), { kind: 'ok' });
    // 1000 → 500+500 → 250×4: four accepted requests after three refused ones.
    assert.deepEqual(rx.requests.filter((r) => r.status === 202).map((r) => r.entries), [250, 250, 250, 250]);
    assert.equal(rx.requests.filter((r) => r.status === 413).length, 3);
    const ids = rx.logs.map((e) => JSON.parse(e.message as string).i as number);
    assert.deepEqual(ids, Array.from({ length: 1000 }, (_, i) => i));
  });

  test('413 for a single entry is permanent', async () => {
    const d = await driver();
    rx.setFault({ status: 413 });
    const r = await roundTrip(d, events(1));
    assert.equal(r.kind, 'permanent');
    assert.match(reasonOf(r), /HTTP 413/);
  });

  test('503 with Retry-After → retryable with afterMs; the resend after recovery delivers', async () => {
    const d = await driver();
    rx.setFault({ status: 503, retryAfterSecs: 7 });
    const p = await d.encode(events(3));
    const r = await d.send(p, AbortSignal.timeout(60_000));
    assert.equal(r.kind, 'retryable');
    assert.equal(r.kind === 'retryable' ? r.afterMs : undefined, 7000);
    assert.equal(rx.logs.length, 0);
    rx.clearFault();
    assert.equal((await d.send(p, AbortSignal.timeout(60_000))).kind, 'ok');
    assert.equal(rx.logs.length, 3);
  });

  test('429, 408 and 500 are retryable', async () => {
    const d = await driver();
    for (const status of [429, 408, 500]) {
      rx.setFault({ status });
      const r = await roundTrip(d, events(1));
      assert.equal(r.kind, 'retryable', `status ${status}`);
      assert.match(reasonOf(r), new RegExp(`HTTP ${status}`));
    }
  });

  test('a retry resumes at the first part not accepted (no duplicates of accepted parts)', async () => {
    const d = await driver();
    const p = await d.encode(events(1500));
    rx.setFault({ status: 503, skip: 1 });
    const r = await d.send(p, AbortSignal.timeout(60_000));
    assert.equal(r.kind, 'retryable');
    assert.deepEqual(rx.requests.map((q) => [q.status, q.entries]), [[202, 1000], [503, 500]]);
    rx.clearFault();
    assert.equal((await d.send(p, AbortSignal.timeout(60_000))).kind, 'ok');
    assert.deepEqual(rx.requests.map((q) => [q.status, q.entries]), [[202, 1000], [503, 500], [202, 500]]);
    const ids = rx.logs.map((e) => JSON.parse(e.message as string).i as number);
    assert.deepEqual(ids, Array.from({ length: 1500 }, (_, i) => i));
  });

  test('a slow intake past the request timeout → retryable (timed out)', async () => {
    const d = await driver();
    rx.setFault({ delayMs: 1500 });
    const r = await d.send(await d.encode(events(1)), AbortSignal.timeout(100));
    assert.equal(r.kind, 'retryable');
    assert.match(reasonOf(r), /timed out/);
    // The intake still finishes (and records) the request later: wait, so later tests start clean.
    await waitFor(() => rx.requests.length === 1, 'the slow request to complete on the server');
  });

  test('the client runs with its own retries off', async () => {
    const { DatadogTransport, datadogConfiguration } = await import('../../../../sinks/datadog_logs/transport.js');
    const { HttpClient } = await import('../../../../src/delivery/http.js');
    const { Secret } = await import('../../../../src/core/secret.js');
    const t = new DatadogTransport(new HttpClient());
    const c = datadogConfiguration('http://127.0.0.1:9/', new Secret('k'), t);
    assert.equal(c.enableRetry, false);
    assert.equal(t.enableRetry, false);
  });

  test('bad key → 403 permanent, the key never in the reason', async () => {
    const key = 'wrong-key-abcdef123456';
    const d = await driver({ api_key: key });
    const r = await roundTrip(d, events(2));
    assert.equal(r.kind, 'permanent');
    assert.match(reasonOf(r), /HTTP 403/);
    assert.ok(!reasonOf(r).includes(key));
    assert.equal(rx.logs.length, 0);
  });

  test('a server echoing the key has it redacted', async () => {
    const d = await driver();
    rx.setFault({ status: 400, body: JSON.stringify({ errors: [`bad request for key ${rx.apiKey}`] }) });
    const r = await roundTrip(d, events(1));
    assert.equal(r.kind, 'permanent');
    assert.match(reasonOf(r), /HTTP 400: .*bad request for key \[secret\]/);
    assert.ok(!reasonOf(r).includes(rx.apiKey));
  });

  test('connection refused → retryable network error', async () => {
    const cfg = datadogLogsSink.schema.parse({ type: 'datadog_logs', inputs: ['edge'], endpoint: 'http://127.0.0.1:1', api_key: 'k-123456' });
    const d = await datadogLogsSink.build(cfg, testContext());
    drivers.push(d);
    const r = await roundTrip(d, events(1));
    assert.equal(r.kind, 'retryable');
    assert.match(reasonOf(r), /network error/);
  });

  test('config: api_key required, unknown keys and bad sites refused', () => {
    const base = { type: 'datadog_logs', inputs: ['edge'] };
    assert.equal(datadogLogsSink.schema.safeParse(base).success, false);
    assert.equal(datadogLogsSink.schema.safeParse({ ...base, api_key: 'k', bogus: 1 }).success, false);
    assert.equal(datadogLogsSink.schema.safeParse({ ...base, api_key: 'k', site: 'https://datadoghq.com' }).success, false);
    const ok = datadogLogsSink.schema.parse({ ...base, api_key: 'k' }) as { compression: string; site: string; hostname_field: string };
    assert.deepEqual([ok.compression, ok.site, ok.hostname_field], ['gzip', 'datadoghq.com', 'node']);
  });
});
