/**
 * http_server as a Fastly HTTPS endpoint, through the real CLI into the `http` test sink (issue 5, 10):
 * challenge, gzip NDJSON + classic-prefixed batches acknowledged with 200 only when delivered, a
 * sink outage answered with non-200 and nothing lost once the sender retries, rejections by status,
 * and a bounded flood of malformed requests and slowloris connections that the process survives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { startEdgetail, type Running } from '../helpers/cli.js';
import { startReceiver } from '../helpers/http-receiver.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { send } from '../helpers/raw-http.js';
import { listeningPort, rssKiB } from './listener-support.js';

const TOKEN = 'fastly-shared-secret';
const AUTH = { 'x-edgetail-token': TOKEN };

/** `n` lines from `from`: even ones Fastly JSON (json_format 2), odd ones classic-prefixed. */
function batch(from: number, n: number): string {
  const out: string[] = [];
  for (let i = from; i < from + n; i++) {
    const json = JSON.stringify({ timestamp: '2024-05-01T12:00:00Z', host: 'cdn.dl.k8s.io', path: `/r/${i}`, status: 200, cache_state: 'HIT' });
    out.push(i % 2 === 0 ? json : `<134>2024-05-01T12:00:00Z cache-fra-eddf8230-FRA edgetail-endpoint[1]: ${json}`);
  }
  return out.join('\n') + '\n';
}

test('http_server: a Fastly-like sender gets 200 only for delivered batches; hostile input is refused and survived', { timeout: 180_000 }, async (t) => {
  const dir = tempDir();
  const receiver = await startReceiver({ keepBodies: true });
  let run: Running | undefined;
  const held: Socket[] = [];
  try {
    const cfg = join(dir.path, 'collector.yaml');
    writeFileSync(cfg, `
data_dir: ${join(dir.path, 'data')}
api: { enabled: false }
sources:
  fastly:
    type: http_server
    address: 127.0.0.1:0
    path: /fastly
    auth: { header: X-Edgetail-Token, value: ${TOKEN} }
    fastly_service_ids: [svc-k8s-downloads]
    max_body_bytes: 65536
    max_decompressed_bytes: 262144
    max_connections: 64
    headers_timeout_secs: 1
    request_timeout_secs: 2
    ack_timeout_secs: 2
sinks:
  out:
    type: http
    inputs: [fastly]
    uri: ${receiver.url}
    encoding: { codec: ndjson }
    batch: { timeout_secs: 0.05 }
    request: { retry_initial_backoff_secs: 0.05, retry_max_backoff_secs: 0.2 }
`);
    run = startEdgetail(['run', '--config', cfg], { EDGETAIL_LOG: 'info' });
    const port = await listeningPort(run, 'fastly');
    const base = `http://127.0.0.1:${port}`;

    // Ownership challenge: printf %s svc-k8s-downloads | sha256sum
    const ch = await send(`${base}/.well-known/fastly/logging/challenge`, { method: 'GET' });
    assert.equal(ch.status, 200);
    assert.equal(ch.body, '86e09799bb892e2bc443350cd4cdfe5700d9974da1d13ba670032453480f3cce\n');

    // Three gzip batches, 200 each, every line arrives.
    const post = (body: string) => send(`${base}/fastly`, { headers: { ...AUTH, 'content-encoding': 'gzip', 'content-type': 'application/x-ndjson' }, body: gzipSync(body) });
    for (let b = 0; b < 3; b++) assert.equal((await post(batch(b * 200, 200))).status, 200);
    const paths = () => new Set(receiver.events.map((e) => e.path));
    // 200 means delivered: the receiver already has them.
    assert.equal(paths().size, 600);
    const fra = receiver.events.find((e) => e.path === '/r/1')!;
    assert.equal(fra.pop, 'FRA');
    assert.equal(fra.node, 'cache-fra-eddf8230-FRA');
    assert.equal(fra.cache_state, 'HIT');

    // Sink down: the batch is not acknowledged; the sender retries the same body once it is back.
    receiver.setFault({ status: 503 });
    const outage = batch(600, 100);
    const down = await post(outage);
    assert.notEqual(down.status, 200);
    assert.equal(down.status, 503);
    receiver.clearFault();
    let retried = await post(outage);
    for (let i = 0; i < 10 && retried.status !== 200; i++) retried = await post(outage);
    assert.equal(retried.status, 200);
    for (let i = 600; i < 700; i++) assert.ok(paths().has(`/r/${i}`), `/r/${i} delivered`);
    assert.equal(receiver.distinct, 700, 'a retried batch has the same event_ids: duplicates are recognisable');

    // Rejections.
    assert.equal((await send(`${base}/fastly`, { body: batch(0, 1) })).status, 401);
    assert.equal((await send(`${base}/fastly`, { headers: { 'x-edgetail-token': 'guess' }, body: batch(0, 1) })).status, 403);
    assert.equal((await send(`${base}/fastly`, { headers: AUTH, body: 'x'.repeat(70_000) })).status, 413);
    assert.equal((await send(`${base}/fastly`, { headers: { ...AUTH, 'content-encoding': 'gzip' }, body: 'definitely not gzip' })).status, 400);
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x7b)); // 8 KiB on the wire, 8 MiB inflated
    assert.ok(bomb.length < 65536);
    assert.equal((await send(`${base}/fastly`, { headers: { ...AUTH, 'content-encoding': 'gzip' }, body: bomb })).status, 413);

    // Bounded flood: malformed requests of every kind, plus slowloris connections holding slots.
    const rssBefore = rssKiB(run.child.pid!);
    const answers: string[] = [];
    for (let i = 0; i < 40; i++) {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.on('data', (d: Buffer) => (answers[i] = (answers[i] ?? '') + d.toString()));
      s.write(`POST /fastly HTTP/1.1\r\nHost: x\r\n`); // never finishes its head
      held.push(s);
    }
    const statuses = new Map<number, number>();
    const kinds = [
      () => send(`${base}/fastly`, { body: 'x' }),
      () => send(`${base}/fastly`, { headers: { 'x-edgetail-token': 'nope' }, body: 'x' }),
      () => send(`${base}/fastly`, { headers: { ...AUTH, 'content-encoding': 'gzip' }, body: 'garbage' }),
      () => send(`${base}/fastly`, { headers: { ...AUTH, 'content-encoding': 'gzip' }, body: bomb }),
      () => send(`${base}/fastly`, { headers: AUTH, body: 'y'.repeat(66_000) }),
      () => send(`${base}/nope`, { headers: AUTH, body: 'x' }),
    ];
    for (let round = 0; round < 50; round++) {
      const rs = await Promise.all(kinds.map((k) => k().then((r) => r.status, () => 0)));
      for (const s of rs) statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
    assert.deepEqual(
      [...statuses.entries()].sort((a, b) => a[0] - b[0]),
      [[400, 50], [401, 50], [403, 50], [404, 50], [413, 100]],
    );
    // The slowloris connections were timed out and closed by the server.
    await waitFor(() => held.every((s) => s.destroyed || s.readableEnded), 'slowloris connections closed', 30_000, 50);
    assert.equal(answers.filter((a) => a.startsWith('HTTP/1.1 408 ')).length, 40);
    const rssAfter = rssKiB(run.child.pid!);
    t.diagnostic(`RSS before flood ${rssBefore} KiB, after ${rssAfter} KiB (300 malformed requests incl. 50 gzip bombs, 40 slowloris connections)`);
    assert.ok(rssAfter < 512 * 1024, `RSS ${rssAfter} KiB stays far below 512 MiB`);
    assert.equal(run.child.exitCode, null, 'still running');

    // A good request still succeeds afterwards.
    assert.equal((await post(batch(700, 10))).status, 200);
    assert.equal(paths().size, 710);

    run.child.kill('SIGTERM');
    assert.equal((await run.exited).code, 0, run.stderr());
  } finally {
    for (const s of held) s.destroy();
    if (run && run.child.exitCode === null) run.child.kill('SIGKILL');
    await receiver.close();
    dir.cleanup();
  }
});
