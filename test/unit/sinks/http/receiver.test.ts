/** The strict receiver must itself be right, or every test built on it proves nothing. */
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { startReceiver, type Receiver } from '../../../helpers/http-receiver.js';

function post(url: string, body: string | Buffer, headers: Record<string, string>, method = 'POST'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request(url, { method, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { b += d; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: b }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

const ND = { 'content-type': 'application/x-ndjson' };

describe('http-receiver', () => {
  let rx: Receiver;
  before(async () => { rx = await startReceiver(); });
  beforeEach(() => { rx.reset(); rx.clearFault(); });
  after(() => rx.close());

  test('counts NDJSON, JSON arrays and gzip bodies by event_id, with duplicates', async () => {
    assert.equal((await post(rx.url, '{"event_id":"a"}\n{"event_id":"b"}\n', ND)).status, 200);
    assert.equal((await post(rx.url, '[{"event_id":"b"},{"event_id":"c"}]', { 'content-type': 'application/json; charset=utf-8' }, 'PUT')).status, 200);
    assert.equal((await post(rx.url, gzipSync('{"event_id":"a"}\n'), { ...ND, 'content-encoding': 'gzip' })).status, 200);
    assert.equal(rx.total, 5);
    assert.equal(rx.distinct, 3);
    assert.equal(rx.duplicates, 2);
    assert.deepEqual(Object.fromEntries(rx.counts), { a: 2, b: 2, c: 1 });
    assert.equal(rx.requests, 3);
  });

  test('rejects malformed bodies', async () => {
    const cases: Array<[string | Buffer, Record<string, string>, number, string?]> = [
      ['{"event_id":"a"}', ND, 400], // no final newline
      ['{"event_id":"a"}\n\n', ND, 400], // blank line
      ['{"event_id":"a"}\nnot json\n', ND, 400],
      ['[1]\n', ND, 400],
      ['{"id":"a"}\n', ND, 400],
      ['', ND, 400],
      ['{"event_id":"a"}', { 'content-type': 'application/json' }, 400], // not an array
      ['[]', { 'content-type': 'application/json' }, 400],
      ['{"event_id":"a"}\n', { ...ND, 'content-encoding': 'gzip' }, 400],
      ['{"event_id":"a"}\n', { ...ND, 'content-encoding': 'br' }, 415],
      ['{"event_id":"a"}\n', { 'content-type': 'application/xml' }, 415],
      ['{"event_id":"a"}\n', ND, 405, 'PATCH'],
    ];
    for (const [body, headers, status, method] of cases) {
      assert.equal((await post(rx.url, body, headers, method)).status, status, `${String(body)} ${JSON.stringify(headers)}`);
    }
    assert.equal(rx.total, 0);
  });

  test('faults: status with Retry-After, for a while, every Nth', async () => {
    rx.setFault({ status: 503, retryAfterSecs: 2 });
    const r = await post(rx.url, '{"event_id":"a"}\n', ND);
    assert.equal(r.status, 503);
    assert.equal(r.headers['retry-after'], '2');
    assert.equal(rx.total, 0);
    rx.setFault({ status: 500, everyNth: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(rx.url, `{"event_id":"e${i}"}\n`, ND)).status);
    assert.deepEqual(statuses, [200, 200, 500, 200, 200, 500]);
    assert.equal(rx.distinct, 4);
    rx.setFault({ status: 500, forMs: 0 });
    assert.equal((await post(rx.url, '{"event_id":"z"}\n', ND)).status, 200);
  });

  test('delay-only fault answers 200 after the delay; text/plain lines are kept', async () => {
    rx.setFault({ delayMs: 20 });
    assert.equal((await post(rx.url, 'line a\nline b\n', { 'content-type': 'text/plain' })).status, 200);
    assert.deepEqual(rx.lines, ['line a', 'line b']);
  });
});
