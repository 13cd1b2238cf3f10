import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Secret } from '../../../src/core/secret.js';
import { HttpClient, bodyExcerpt, classifyHttpStatus, classifyNetworkError, parseRetryAfter, redact, sendHttp } from '../../../src/delivery/http.js';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2015, 9, 21, 7, 27, 30);
  test('delta-seconds', () => {
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter(['5'], now), 5_000);
  });
  test('HTTP-date (IMF-fixdate, RFC 850, asctime) relative to now', () => {
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wednesday, 21-Oct-15 07:28:00 GMT', now), 30_000);
    // asctime carries no zone: it is GMT by definition, whatever the local zone.
    assert.equal(parseRetryAfter('Wed Oct 21 07:28:00 2015', now), 30_000);
  });
  test('a date in the past is 0', () => {
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now), 0);
  });
  test('garbage is undefined', () => {
    for (const v of [undefined, '', 'soon', '1.5', '-3', '12abc']) assert.equal(parseRetryAfter(v, now), undefined, String(v));
  });
});

describe('classifyHttpStatus', () => {
  test('2xx is ok', () => {
    for (const s of [200, 201, 202, 204, 299]) assert.deepEqual(classifyHttpStatus(s, {}), { kind: 'ok' });
  });
  test('408, 429, 5xx are retryable, with Retry-After in ms', () => {
    assert.deepEqual(classifyHttpStatus(503, { 'retry-after': '7' }, 'busy'), { kind: 'retryable', reason: 'HTTP 503: busy', afterMs: 7000 });
    assert.deepEqual(classifyHttpStatus(429, {}), { kind: 'retryable', reason: 'HTTP 429' });
    assert.equal(classifyHttpStatus(408, {}).kind, 'retryable');
    assert.equal(classifyHttpStatus(500, {}).kind, 'retryable');
    assert.equal(classifyHttpStatus(599, {}).kind, 'retryable');
  });
  test('other statuses are permanent with status and a short body excerpt', () => {
    assert.deepEqual(classifyHttpStatus(400, {}, Buffer.from('{"error":\n  "bad field"}')), { kind: 'permanent', reason: 'HTTP 400: {"error": "bad field"}' });
    for (const s of [301, 401, 403, 404, 413, 422]) assert.equal(classifyHttpStatus(s, {}).kind, 'permanent', String(s));
    const r = classifyHttpStatus(400, {}, 'x'.repeat(5000));
    assert.equal(r.kind === 'permanent' && r.reason, `HTTP 400: ${'x'.repeat(200)}…`);
  });
  test('secrets echoed by the server are redacted', () => {
    const r = classifyHttpStatus(401, {}, 'invalid token s3cr3t-token-value', { secrets: [new Secret('s3cr3t-token-value')] });
    assert.deepEqual(r, { kind: 'permanent', reason: 'HTTP 401: invalid token [secret]' });
  });
});

describe('helpers', () => {
  test('redact and bodyExcerpt', () => {
    assert.equal(redact('a abcd b abcd', [new Secret('abcd')]), 'a [secret] b [secret]');
    assert.equal(redact('abc', undefined), 'abc');
    assert.equal(bodyExcerpt(undefined), '');
    assert.equal(bodyExcerpt(' a \n\t b ', 10), 'a b');
  });
  test('network errors are retryable; an aborted signal says timeout', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    assert.deepEqual(classifyNetworkError(err), { kind: 'retryable', reason: 'network error ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9' });
    const ac = new AbortController();
    ac.abort();
    assert.deepEqual(classifyNetworkError(err, ac.signal), { kind: 'retryable', reason: 'request timed out or was cancelled' });
  });
});

describe('HttpClient', () => {
  const client = new HttpClient();
  after(() => client.close());

  test('reuses one keep-alive connection and caps the kept response body', async () => {
    const remotePorts = new Set<number>();
    const server = createServer((req, res) => {
      remotePorts.add(req.socket.remotePort!);
      req.resume();
      req.on('end', () => res.end('y'.repeat(100_000)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      for (let i = 0; i < 5; i++) {
        const res = await client.request({ method: 'POST', url, body: 'hello', maxResponseBytes: 10 });
        assert.equal(res.status, 200);
        assert.equal(res.body.toString(), 'y'.repeat(10));
      }
      assert.equal(remotePorts.size, 1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  test('sendHttp: refused connection is retryable, abort mid-request is a timeout', async () => {
    const server = createServer(() => { /* never answers */ });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const ac = new AbortController();
    const pending = sendHttp(client, { method: 'POST', url: `http://127.0.0.1:${port}/`, body: 'x', signal: ac.signal });
    setImmediate(() => ac.abort());
    assert.deepEqual(await pending, { kind: 'retryable', reason: 'request timed out or was cancelled' });
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    // Now nothing listens on that port.
    const r = await sendHttp(client, { method: 'POST', url: `http://127.0.0.1:${port}/`, body: 'x' });
    assert.equal(r.kind, 'retryable');
    assert.match(r.kind === 'retryable' ? r.reason : '', /^network error ECONNREFUSED/);
  });
});
