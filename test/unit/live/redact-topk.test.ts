/**
 * PII and the dashboard: when the live sink's input passes through `redact`, the top-k client
 * networks (and sampled tail events) only ever hold the redacted form (docs/security.md, "PII").
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { makeLogEvent, type LogEvent } from '../../../src/core/event.js';
import { FeedView } from '../../../src/live/feed-view.js';
import { redact } from '../../../src/transforms/redact.js';
import { build, run } from '../transforms/events.js';

const T = 1_700_000_000;
const IPS = ['203.0.113.7', '203.0.113.200', '198.51.100.9', '2001:db8:1:2::5', '2001:db8:1:ffff::9'];

function events(): LogEvent[] {
  return IPS.map((ip, i) => makeLogEvent('t', String(i), T * 1000 + 100, { layer: 'edge', host: 'dl.k8s.io', status: 200, client_ip: ip, path: '/x' }, `raw line with ${ip}`, 100));
}

async function viewAfter(config: Record<string, unknown>): Promise<{ keys: string[]; text: string }> {
  const { transform } = await build(redact, config);
  const out = run(transform, events()) as LogEvent[];
  const v = new FeedView({ now: () => (T + 1) * 1000 + 10 });
  v.ingest(out);
  const top = v.topk();
  const tail = v.takeTail();
  return { keys: top.all.client_prefix.map((e) => `${e.key}=${e.count}`).sort(), text: JSON.stringify({ top, tail, seconds: v.snapshotSeconds() }) };
}

describe('redact → live top-k client networks', () => {
  test('truncate (default /24, /48): the prefixes the dashboard shows are the truncated networks', async () => {
    const { keys, text } = await viewAfter({});
    assert.deepEqual(keys, ['198.51.100.0/24=1', '2001:db8:1::/48=2', '203.0.113.0/24=2']);
    for (const ip of IPS) assert.ok(!text.includes(ip), `${ip} reached the live view`);
  });

  test('keyed hash: the dashboard shows the hashes (HMAC-SHA256, 16 hex), never an address', async () => {
    const key = 'k-9f2';
    const { keys, text } = await viewAfter({ client_ip: { mode: 'hash', key } });
    const h = (ip: string) => createHmac('sha256', key).update(ip).digest('hex').slice(0, 16);
    assert.deepEqual(keys, IPS.map((ip) => `${h(ip)}=1`).sort());
    for (const ip of IPS) assert.ok(!text.includes(ip), `${ip} reached the live view`);
  });

  test('without redact the live view groups the raw addresses itself (what redact is for)', () => {
    const v = new FeedView({ now: () => (T + 1) * 1000 + 10 });
    v.ingest(events());
    assert.deepEqual(v.topk().all.client_prefix.map((e) => `${e.key}=${e.count}`).sort(), ['198.51.100.0/24=1', '2001:db8:1::/48=2', '203.0.113.0/24=2']);
    assert.ok(IPS.some((ip) => JSON.stringify(v.takeTail()).includes(ip)), 'sampled tail events carry the addresses');
  });
});
