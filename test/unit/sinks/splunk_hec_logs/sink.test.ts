import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { makeLogEvent, type Event } from '../../../../src/core/event.js';
import { Finalizer, type BatchStatus } from '../../../../src/core/finalizer.js';
import { SinkRunner } from '../../../../src/delivery/runner.js';
import type { SendResult, SinkDriver } from '../../../../src/delivery/types.js';
import { splunkHecSinkSchema, type SplunkHecSinkConfig } from '../../../../sinks/splunk_hec_logs/config.js';
import { splunkHecLogsSink } from '../../../../sinks/splunk_hec_logs/index.js';
import { startHecReceiver, type HecReceiver } from '../../../helpers/hec-receiver.js';
import { tempDir, testContext, waitFor } from '../../../helpers/context.js';

const TOKEN = 'c0ffee00-aaaa-bbbb-cccc-123456789abc';
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0); // 1714564800000

function events(n: number, from = 0): Event[] {
  const out: Event[] = [];
  for (let i = from; i < from + n; i++) {
    out.push(makeLogEvent('edge', `edge:a.log:${i}`, T0 + i, { status: 200, pop: 'IAD', node: `cache-iad${i % 2}`, path: `/p/${i}` }, `line ${i}`, 6));
  }
  return out;
}

function parse(extra: Record<string, unknown>, url: string): SplunkHecSinkConfig {
  return splunkHecSinkSchema.parse({ type: 'splunk_hec_logs', inputs: ['edge'], endpoint: url, token: TOKEN, ...extra });
}

async function roundTrip(d: SinkDriver, evs: Event[], signal = AbortSignal.timeout(30_000)): Promise<SendResult> {
  return d.send(await d.encode(evs), signal);
}

describe('splunk_hec_logs against the strict HEC receiver', () => {
  let rx: HecReceiver;
  let ackRx: HecReceiver;
  const drivers: SinkDriver[] = [];
  const driver = async (extra: Record<string, unknown> = {}, url?: string): Promise<SinkDriver> => {
    const d = await splunkHecLogsSink.build(parse(extra, url ?? rx.url), testContext('splunk', 'splunk_hec_logs'));
    drivers.push(d);
    return d;
  };
  before(async () => {
    rx = await startHecReceiver({ tokens: [TOKEN], indexes: ['cdn'] });
    ackRx = await startHecReceiver({ tokens: [TOKEN], acks: true });
  });
  beforeEach(() => { rx.reset(); ackRx.reset(); });
  after(async () => {
    for (const d of drivers) await d.close?.();
    await rx.close();
    await ackRx.close();
  });

  test('/event: every event arrives once with its envelope metadata, auth and one channel', async () => {
    const d = await driver({ index: 'cdn', source: 'fastly', sourcetype: 'fastly:json', indexed_fields: ['pop'] });
    assert.deepEqual(await roundTrip(d, events(3)), { kind: 'ok' });
    assert.deepEqual(await roundTrip(d, events(1, 3)), { kind: 'ok' });
    assert.deepEqual([...rx.counts.entries()], [['edge:a.log:0', 1], ['edge:a.log:1', 1], ['edge:a.log:2', 1], ['edge:a.log:3', 1]]);
    assert.deepEqual(rx.envelopes[1], {
      time: 1714564800.001,
      host: 'cache-iad1',
      source: 'fastly',
      sourcetype: 'fastly:json',
      index: 'cdn',
      event: { timestamp: '2024-05-01T12:00:00.001Z', status: 200, pop: 'IAD', node: 'cache-iad1', path: '/p/1', event_id: 'edge:a.log:1' },
      fields: { pop: 'IAD' },
      channel: rx.envelopes[0]!.channel,
    });
    assert.equal(rx.log[0]!.path, '/services/collector/event');
    assert.equal(rx.log[0]!.headers.authorization, `Splunk ${TOKEN}`);
    const ch = rx.log[0]!.headers['x-splunk-request-channel'];
    assert.match(String(ch), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(rx.log[1]!.headers['x-splunk-request-channel'], ch);
    const other = await driver();
    await roundTrip(other, events(1));
    assert.notEqual(rx.log[2]!.headers['x-splunk-request-channel'], ch);
  });

  test('gzip: Content-Encoding gzip, the body decodes to the same envelopes', async () => {
    const d = await driver({ compression: 'gzip' });
    const p = (await d.encode(events(200))) as { body: Buffer };
    assert.equal(p.body[0], 0x1f);
    assert.ok(gunzipSync(p.body).toString().startsWith('{"time":1714564800,"host":"cache-iad0","event":{'));
    assert.deepEqual(await d.send(p, AbortSignal.timeout(30_000)), { kind: 'ok' });
    assert.equal(rx.log[0]!.headers['content-encoding'], 'gzip');
    assert.equal(rx.counts.size, 200);
  });

  test('raw endpoint: the original lines, metadata in the query string, a channel', async () => {
    const d = await driver({ endpoint_target: 'raw', index: 'cdn', sourcetype: 'fastly:raw', compression: 'gzip' });
    assert.deepEqual(await roundTrip(d, events(3)), { kind: 'ok' });
    assert.equal(rx.raw.length, 1);
    assert.deepEqual(rx.raw[0]!.lines, ['line 0', 'line 1', 'line 2']);
    assert.deepEqual(rx.raw[0]!.query, { index: 'cdn', sourcetype: 'fastly:raw' });
    assert.equal(rx.log[0]!.path, '/services/collector/raw?index=cdn&sourcetype=fastly%3Araw');
    assert.equal(rx.envelopes.length, 0);
  });

  test('a bad token is permanent with a reason that names the key, never the token', async () => {
    const d = await splunkHecLogsSink.build(parse({}, rx.url), testContext());
    drivers.push(d);
    const wrong = await splunkHecLogsSink.build(parse({ token: 'wrong-token-value' }, rx.url), testContext());
    drivers.push(wrong);
    const r = await roundTrip(wrong, events(2));
    assert.equal(r.kind, 'permanent');
    assert.match((r as { reason: string }).reason, /HEC code 4 \(HTTP 403\): invalid token: check `token`/);
    assert.ok(!(r as { reason: string }).reason.includes('wrong-token-value'));
    assert.equal(rx.envelopes.length, 0);
  });

  test('server text echoing the token is redacted', async () => {
    const d = await driver();
    rx.setFault({ status: 403, body: JSON.stringify({ text: `Invalid token ${TOKEN}`, code: 4 }) });
    const r = await roundTrip(d, events(1));
    assert.equal(r.kind, 'permanent');
    assert.ok(!(r as { reason: string }).reason.includes(TOKEN));
    assert.match((r as { reason: string }).reason, /\[secret\]/);
  });

  test('an index HEC refuses is permanent (code 7)', async () => {
    const d = await driver({ index: 'secret-stuff' });
    const r = await roundTrip(d, events(1));
    assert.equal(r.kind, 'permanent');
    assert.match((r as { reason: string }).reason, /HEC code 7 .*check `index`/);
  });

  test('503 / code 9 is retryable with afterMs from Retry-After; 429 too; a 500 code 8 too', async () => {
    const d = await driver();
    rx.setFault({ status: 503, retryAfterSecs: 7 });
    assert.deepEqual(await roundTrip(d, events(1)), { kind: 'retryable', reason: 'HEC code 9 (HTTP 503): server busy — server said: Server is busy', afterMs: 7000 });
    rx.setFault({ status: 429, retryAfterSecs: 2 });
    const r429 = await roundTrip(d, events(1));
    assert.equal(r429.kind, 'retryable');
    assert.equal((r429 as { afterMs?: number }).afterMs, 2000);
    rx.setFault({ status: 500 });
    assert.equal((await roundTrip(d, events(1))).kind, 'retryable');
    rx.clearFault();
    assert.deepEqual(await roundTrip(d, events(1)), { kind: 'ok' });
    assert.equal(rx.envelopes.length, 1);
  });

  test("a proxy's 404 is retryable and says what to check", async () => {
    const d = await driver();
    rx.setFault({ status: 404, body: '<html>Not Found</html>' });
    const r = await roundTrip(d, events(1));
    assert.equal(r.kind, 'retryable');
    assert.match((r as { reason: string }).reason, /^HTTP 404: not found — check that `endpoint` is the HEC base URL/);
  });

  test('healthcheck: healthy (17) passes; unhealthy (18) and a wrong base path fail', async () => {
    const d = await driver();
    await d.healthcheck!(AbortSignal.timeout(10_000));
    rx.unhealthy = true;
    await assert.rejects(d.healthcheck!(AbortSignal.timeout(10_000)), /healthcheck failed: HTTP 503 HEC code 18/);
    const wrongBase = await driver({}, `${rx.url}/splunk`);
    await assert.rejects(wrongBase.healthcheck!(AbortSignal.timeout(10_000)), /HTTP 404.*base URL/);
  });

  test('acks: send resolves only once the ackId is acknowledged', async () => {
    const d = await driver({ acknowledgements: { indexer_acknowledgements_enabled: true, query_interval_secs: 0.02, timeout_secs: 60 } }, ackRx.url);
    ackRx.withholdAcks = true;
    let settled: SendResult | undefined;
    const p = roundTrip(d, events(2)).then((r) => { settled = r; return r; });
    await waitFor(() => ackRx.ackPolls >= 2, 'two ack polls while acks are withheld');
    assert.equal(settled, undefined);
    assert.equal(ackRx.counts.size, 2);
    ackRx.withholdAcks = false;
    assert.deepEqual(await p, { kind: 'ok' });
    const polls = ackRx.log.filter((l) => l.path === '/services/collector/ack');
    assert.equal(polls[0]!.headers['x-splunk-request-channel'], ackRx.log[0]!.headers['x-splunk-request-channel']);
  });

  test('acks withheld past acknowledgements.timeout_secs → retryable "ack timeout"', async () => {
    const d = await driver({ acknowledgements: { indexer_acknowledgements_enabled: true, query_interval_secs: 0.02, timeout_secs: 0.2 } }, ackRx.url);
    ackRx.withholdAcks = true;
    const r = await roundTrip(d, events(1));
    assert.equal(r.kind, 'retryable');
    assert.match((r as { reason: string }).reason, /^ack timeout: ackId 0 not acknowledged within 0.2s$/);
  });

  test('acks: the request signal ends the wait (retryable), close() ends pending waits', async () => {
    const d = await driver({ acknowledgements: { indexer_acknowledgements_enabled: true, query_interval_secs: 0.02, timeout_secs: 600 } }, ackRx.url);
    ackRx.withholdAcks = true;
    const ac = new AbortController();
    const p = roundTrip(d, events(1), ac.signal);
    await waitFor(() => ackRx.ackPolls >= 1, 'an ack poll');
    ac.abort();
    assert.equal((await p).kind, 'retryable');
    const p2 = roundTrip(d, events(1));
    await waitFor(() => ackRx.counts.get('edge:a.log:0') === 2, 'the second request');
    await d.close!();
    assert.equal((await p2).kind, 'retryable');
  });
});

describe('splunk_hec_logs through a SinkRunner', () => {
  test('all events arrive through gzip + acks, retrying a busy HEC; finalizers release only after the ack', async () => {
    const rx = await startHecReceiver({ tokens: [TOKEN], acks: true });
    const dir = tempDir();
    try {
      const cfg = parse({
        index: 'cdn',
        compression: 'gzip',
        batch: { max_events: 50, timeout_secs: 0.05 },
        request: { concurrency: 2, retry_initial_backoff_secs: 0.05, retry_max_backoff_secs: 0.1 },
        acknowledgements: { indexer_acknowledgements_enabled: true, query_interval_secs: 0.02, timeout_secs: 30 },
      }, rx.url);
      const ctx = testContext('splunk', 'splunk_hec_logs', dir.path);
      const drv = await splunkHecLogsSink.build(cfg, ctx);
      const runner = new SinkRunner({ id: 'splunk', type: 'splunk_hec_logs', config: cfg, driver: drv, ctx });
      await runner.start();
      rx.withholdAcks = true;
      const statuses: BatchStatus[] = [];
      const f1 = new Finalizer((s) => statuses.push(s));
      await runner.accept(events(100), f1);
      await waitFor(() => rx.counts.size === 100 && rx.ackPolls >= 2, 'the first 100 events indexed, acks pending');
      assert.equal(f1.done, false);
      rx.withholdAcks = false;
      await waitFor(() => f1.done, 'the first finalizer released after the acks');
      rx.setFault({ status: 503, forMs: 200 });
      const f2 = new Finalizer((s) => statuses.push(s));
      await runner.accept(events(100, 100), f2);
      await waitFor(() => f2.done, 'the second finalizer released after the busy period');
      await runner.drain(10_000);
      await drv.close?.();
      assert.deepEqual(statuses, ['delivered', 'delivered']);
      for (let i = 0; i < 200; i++) assert.ok((rx.counts.get(`edge:a.log:${i}`) ?? 0) >= 1, `event ${i} arrived`);
      assert.ok(rx.envelopes.every((e) => e.index === 'cdn'));
      assert.equal(ctx.metrics.counts.sent, 200);
    } finally {
      await rx.close();
      dir.cleanup();
    }
  });
});
