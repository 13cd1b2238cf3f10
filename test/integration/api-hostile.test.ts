/**
 * Hostile clients against the API listener of the real CLI (loopback): oversized headers, malformed
 * requests, slowloris, too many connections, unauthenticated and bad-Origin clients, and /live
 * clients that send oversized, invalid or too many frames. Each gets the right status or a closed
 * connection, each is counted in edgetail_api_rejected_total{reason} (exact counts), the process stays
 * up with its RSS bounded, and good requests still succeed afterwards.
 * Needs `npm run build` (it runs bin/edgetail.js).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { tempDir, waitFor } from '../helpers/context.js';
import { rawExchange, rejected, rssOf, slowloris, startWithApi } from './hostile-support.js';

const TOKEN = 'hostile-test-token-5e1f';
const ROUNDS = 25;

function writeConfig(dir: string): string {
  mkdirSync(join(dir, 'logs'));
  const file = join(dir, 'edgetail.yaml');
  writeFileSync(file, [
    `data_dir: ${join(dir, 'data')}`,
    'api:',
    '  address: "127.0.0.1:0"',
    `  auth_token: "${TOKEN}"`,
    '  limits: { max_connections: 40, max_header_bytes: 4096, headers_timeout_secs: 1, request_timeout_secs: 2, ws_max_message_bytes: 1024, ws_max_messages_per_sec: 5 }',
    'sources:',
    `  edge: { type: file, include: ["${join(dir, 'logs', '*.log')}"], format: fastly_json }`,
    'sinks:',
    '  live: { type: live, inputs: [edge] }',
    '  void: { type: blackhole, inputs: [edge] }',
  ].join('\n'));
  return file;
}

async function metrics(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
}

/** Opens a /live client; resolves with it once open, rejects on a failed upgrade. */
function openLive(port: number, opts: { token?: string; origin?: string } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/live${opts.token ? `?token=${opts.token}` : ''}`, opts.origin ? { origin: opts.origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve(-1);
    ws.once('close', (code) => resolve(code));
  });
}

test('hostile clients are answered or cut off, counted, and the instance keeps serving', { timeout: 180_000 }, async () => {
  const dir = tempDir();
  const { run, port } = await startWithApi(writeConfig(dir.path));
  const pid = run.child.pid!;
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok, 'ready');
    const rss0 = rssOf(pid);
    const m0 = await metrics(port);
    for (const r of ['header_too_large', 'bad_request', 'timeout', 'too_many_connections', 'unauthorized', 'forbidden', 'forbidden_origin', 'ws_message_too_large', 'ws_rate_limited', 'ws_invalid_frame']) {
      assert.equal(rejected(m0, r), 0, r);
    }

    // 1. Headers over max_header_bytes → 431 and close.
    for (let i = 0; i < ROUNDS; i++) {
      const r = await rawExchange(port, `GET /api/topology HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nX-Big: ${'b'.repeat(8192)}\r\n\r\n`);
      assert.equal(r.status, 431);
    }

    // 2. Malformed requests → 400 and close.
    const malformed = [
      'GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n',
      'GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
      '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS on a plain port\r\n\r\n',
    ];
    for (let i = 0; i < ROUNDS; i++) {
      const r = await rawExchange(port, malformed[i % malformed.length]!);
      assert.equal(r.status, 400, JSON.stringify(malformed[i % malformed.length]));
    }

    // 3. Slowloris: headers trickled one byte per 200 ms are cut off by headers_timeout_secs (408).
    const slow = await Promise.all(Array.from({ length: 10 }, () => slowloris(port, 200)));
    for (const s of slow) assert.equal(s.status, 408);

    // 4. Unauthenticated: HTTP 401 (API, metrics, dashboard), /live upgrade 401, bad Origin 403.
    for (let i = 0; i < ROUNDS; i++) {
      const path = ['/api/topology', '/metrics', '/', '/index.html', `/api/topology?token=wrong${i}`][i % 5]!;
      assert.equal((await fetch(`http://127.0.0.1:${port}${path}`)).status, 401, path);
    }
    for (let i = 0; i < 10; i++) {
      await assert.rejects(openLive(port), { status: 401 });
      await assert.rejects(openLive(port, { token: TOKEN, origin: 'https://evil.example' }), { status: 403 });
    }
    // The rt API takes the token as Fastly-Key: a wrong key is 403.
    for (let i = 0; i < 10; i++) {
      assert.equal((await fetch(`http://127.0.0.1:${port}/v1/channel/svc/ts/0`, { headers: { 'fastly-key': 'nope' } })).status, 403);
    }

    // 5. /live clients that misbehave: oversized message (1009), message flood (1008), unmasked frame (1002).
    for (let i = 0; i < 10; i++) {
      const big = await openLive(port, { token: TOKEN });
      const c1 = closed(big);
      big.send('x'.repeat(2048));
      assert.equal(await c1, 1009);
      const flood = await openLive(port, { token: TOKEN });
      const c2 = closed(flood);
      for (let k = 0; k < 50; k++) flood.send(JSON.stringify({ type: 'pause' }));
      assert.equal(await c2, 1008);
      const raw = await rawExchange(port, Buffer.concat([
        Buffer.from(`GET /live?token=${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`),
        Buffer.from([0x81, 0x02, 0x68, 0x69]), // a text frame without the client mask: a protocol error
      ]));
      assert.equal(raw.status, 101);
    }

    // 6. Too many connections: fill the listener with /live clients until one is refused, then more are refused too.
    const held: WebSocket[] = [];
    let refusedWs = 0;
    while (refusedWs === 0 && held.length < 100) {
      try {
        held.push(await openLive(port, { token: TOKEN }));
      } catch {
        refusedWs = 1;
      }
    }
    assert.ok(held.length > 0 && held.length <= 40, `${held.length} clients held`);
    const extra = await Promise.all(Array.from({ length: 10 }, () => rawExchange(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n')));
    for (const r of extra) assert.equal(r.status, undefined, 'closed without an answer');
    await Promise.all(held.map((ws) => { const c = closed(ws); ws.close(); return c; }));

    // Good requests still work, and every rejection was counted exactly once.
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok, 'health after the connections close');
    const topo = await fetch(`http://127.0.0.1:${port}/api/topology`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(topo.status, 200);
    const good = await openLive(port, { token: TOKEN });
    await new Promise<void>((resolve) => good.once('message', () => resolve()));
    good.close();
    const m1 = await metrics(port);
    assert.equal(rejected(m1, 'header_too_large'), ROUNDS);
    assert.equal(rejected(m1, 'bad_request'), ROUNDS);
    assert.equal(rejected(m1, 'timeout'), 10);
    assert.equal(rejected(m1, 'unauthorized'), ROUNDS + 10);
    assert.equal(rejected(m1, 'forbidden_origin'), 10);
    assert.equal(rejected(m1, 'forbidden'), 10);
    assert.equal(rejected(m1, 'ws_message_too_large'), 10);
    assert.equal(rejected(m1, 'ws_rate_limited'), 10);
    assert.equal(rejected(m1, 'ws_invalid_frame'), 10);
    assert.equal(rejected(m1, 'too_many_connections'), refusedWs + extra.length);
    assert.equal(run.child.exitCode, null, 'still running');
    const rss1 = rssOf(pid);
    assert.ok(rss1 < rss0 + 150 * 1024 * 1024, `RSS grew from ${rss0} to ${rss1}`);
  } finally {
    run.child.kill('SIGTERM');
    await run.exited;
    dir.cleanup();
  }
});

test('a non-loopback api.address without a token: validate and run refuse it (exit 78) unless allow_unauthenticated', { timeout: 60_000 }, async () => {
  const { runEdgetail } = await import('../helpers/cli.js');
  const dir = tempDir();
  try {
    const cfg = (extra: string) => {
      const f = join(dir.path, `c${extra ? 1 : 0}.yaml`);
      writeFileSync(f, [`data_dir: ${join(dir.path, 'data')}`, `api: { address: "0.0.0.0:0"${extra} }`, 'sources:', '  d: { type: demo, rate: 1 }', 'sinks:', '  v: { type: blackhole, inputs: [d] }'].join('\n'));
      return f;
    };
    for (const cmd of ['validate', 'run']) {
      const r = await runEdgetail([cmd, '--config', cfg('')]);
      assert.equal(r.code, 78, r.stderr);
      assert.match(r.stderr, /api\.auth_token: required when api\.address \(0\.0\.0\.0:0\) is not a loopback address/);
    }
    assert.equal((await runEdgetail(['validate', '--config', cfg(', allow_unauthenticated: true')])).code, 0);
  } finally {
    dir.cleanup();
  }
});
