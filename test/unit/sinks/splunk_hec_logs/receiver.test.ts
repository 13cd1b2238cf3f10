import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { startHecReceiver, type HecReceiver } from '../../../helpers/hec-receiver.js';

const CH = '0b4d5c8e-1f2a-4b3c-9d8e-7f6a5b4c3d2e';

function post(url: string, body: string | Buffer, headers: Record<string, string>, method = 'POST'): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const r = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown> }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

describe('strict HEC receiver', () => {
  let rx: HecReceiver;
  let acked: HecReceiver;
  const auth = { authorization: 'Splunk tok-1234' };
  before(async () => {
    rx = await startHecReceiver({ tokens: ['tok-1234'], indexes: ['cdn'] });
    acked = await startHecReceiver({ tokens: ['tok-1234'], acks: true });
  });
  beforeEach(() => { rx.reset(); acked.reset(); });
  after(async () => { await rx.close(); await acked.close(); });

  test('token: missing → 2/401, bad format → 3/401, unknown → 4/403', async () => {
    const ev = '{"event":"x"}';
    assert.deepEqual(await post(`${rx.url}/services/collector/event`, ev, {}), { status: 401, json: { text: 'Token is required', code: 2 } });
    assert.deepEqual(await post(`${rx.url}/services/collector/event`, ev, { authorization: 'Bearer tok-1234' }), { status: 401, json: { text: 'Invalid authorization', code: 3 } });
    assert.deepEqual(await post(`${rx.url}/services/collector/event`, ev, { authorization: 'Splunk nope' }), { status: 403, json: { text: 'Invalid token', code: 4 } });
    assert.equal(rx.envelopes.length, 0);
  });

  test('concatenated envelopes are accepted (alias path too); arrays and commas are code 6', async () => {
    const ok = await post(`${rx.url}/services/collector`, '{"event":{"event_id":"a"}}\n{"event":"b","time":1.5}', auth);
    assert.deepEqual(ok, { status: 200, json: { text: 'Success', code: 0 } });
    assert.equal(rx.envelopes.length, 2);
    assert.equal(rx.counts.get('a'), 1);
    assert.equal(rx.envelopes[1]!.time, 1.5);
    assert.equal((await post(`${rx.url}/services/collector/event`, '[{"event":"a"}]', auth)).json.code, 6);
    assert.equal((await post(`${rx.url}/services/collector/event`, '{"event":"a"},{"event":"b"}', auth)).json.code, 6);
    assert.equal((await post(`${rx.url}/services/collector/event`, '{"event":"a"', auth)).json.code, 6);
    assert.equal(rx.envelopes.length, 2);
  });

  test('event required (12), not blank (13), flat fields (15), index (7), no data (5)', async () => {
    const u = `${rx.url}/services/collector/event`;
    assert.deepEqual(await post(u, '{"event":"a"}{"host":"h"}', auth), { status: 400, json: { text: 'Event field is required', code: 12, 'invalid-event-number': 1 } });
    assert.equal((await post(u, '{"event":"  "}', auth)).json.code, 13);
    assert.equal((await post(u, '{"event":null}', auth)).json.code, 13);
    assert.equal((await post(u, '{"event":"a","fields":{"x":{"y":1}}}', auth)).json.code, 15);
    assert.equal((await post(u, '{"event":"a","index":"other"}', auth)).json.code, 7);
    assert.equal((await post(u, '', auth)).json.code, 5);
    assert.equal(rx.envelopes.length, 0);
  });

  test('gzip bodies; a broken gzip stream is code 6', async () => {
    const u = `${rx.url}/services/collector/event`;
    assert.equal((await post(u, gzipSync('{"event":"z"}'), { ...auth, 'content-encoding': 'gzip' })).status, 200);
    assert.equal((await post(u, Buffer.from('not gzip'), { ...auth, 'content-encoding': 'gzip' })).json.code, 6);
    assert.equal(rx.envelopes.length, 1);
  });

  test('raw needs a channel (10) that is a UUID (11); metadata from the query', async () => {
    assert.equal((await post(`${rx.url}/services/collector/raw`, 'l1\n', auth)).json.code, 10);
    assert.equal((await post(`${rx.url}/services/collector/raw`, 'l1\n', { ...auth, 'x-splunk-request-channel': 'nope' })).json.code, 11);
    assert.equal((await post(`${rx.url}/services/collector/raw?index=cdn&channel=${CH}`, 'l1\nl2\n', auth)).status, 200);
    assert.deepEqual(rx.raw, [{ lines: ['l1', 'l2'], query: { index: 'cdn', channel: CH }, channel: CH }]);
  });

  test('acks: channel required, ackIds per channel, /ack reports them; withheld acks stay false', async () => {
    const u = `${acked.url}/services/collector/event`;
    assert.equal((await post(u, '{"event":"a"}', auth)).json.code, 10);
    const h = { ...auth, 'x-splunk-request-channel': CH };
    assert.deepEqual((await post(u, '{"event":"a"}', h)).json, { text: 'Success', code: 0, ackId: 0 });
    assert.deepEqual((await post(u, '{"event":"b"}', h)).json, { text: 'Success', code: 0, ackId: 1 });
    acked.withholdAcks = true;
    assert.deepEqual((await post(`${acked.url}/services/collector/ack`, '{"acks":[0,1,7]}', h)).json, { acks: { 0: false, 1: false, 7: false } });
    acked.withholdAcks = false;
    assert.deepEqual((await post(`${acked.url}/services/collector/ack`, '{"acks":[0,1]}', h)).json, { acks: { 0: true, 1: true } });
    assert.equal((await post(`${rx.url}/services/collector/ack`, '{"acks":[0]}', h)).json.code, 14);
  });

  test('health 17, unhealthy 18; unknown path 404; faults', async () => {
    assert.deepEqual(await post(`${rx.url}/services/collector/health`, '', {}, 'GET'), { status: 200, json: { text: 'HEC is healthy', code: 17 } });
    rx.unhealthy = true;
    assert.equal((await post(`${rx.url}/services/collector/health`, '', {}, 'GET')).json.code, 18);
    assert.equal((await post(`${rx.url}/nope`, '', auth)).status, 404);
    rx.setFault({ status: 503 });
    assert.deepEqual(await post(`${rx.url}/services/collector/event`, '{"event":"a"}', auth), { status: 503, json: { text: 'Server is busy', code: 9 } });
    assert.equal(rx.envelopes.length, 0);
  });
});
