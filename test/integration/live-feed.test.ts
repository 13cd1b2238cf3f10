/** The /live WebSocket feed of a running demo (auth on): snapshot + deltas, filters, pause, slow clients. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { parseConfigText } from '../../src/config/load.js';
import { startInstance, type Instance } from '../../src/cli/instance.js';
import { demoConfig } from '../../src/cli/demo-config.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import type { DeltaMsg, ServerMsg, SnapshotMsg, TailMsg } from '../../src/live/protocol.js';
import { tempDir, waitFor } from '../helpers/context.js';

const TOKEN = 's3cret-live';

class Probe {
  readonly msgs: ServerMsg[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.msgs.push(JSON.parse(d.toString()) as ServerMsg));
  }
  static async open(url: string, protocols?: string[]): Promise<Probe> {
    const ws = new WebSocket(url, protocols);
    const p = new Probe(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return p;
  }
  send(m: unknown): void {
    this.ws.send(JSON.stringify(m));
  }
  of<T extends ServerMsg['type']>(type: T, from = 0): Extract<ServerMsg, { type: T }>[] {
    return this.msgs.slice(from).filter((m) => m.type === type) as Extract<ServerMsg, { type: T }>[];
  }
  close(): void {
    this.ws.terminate();
  }
}

/** Status of a rejected upgrade (or 101 when it was accepted). */
function upgradeStatus(url: string, protocols?: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

describe('/live feed on the demo', { timeout: 240_000 }, () => {
  let inst: Instance;
  let dir: { path: string; cleanup: () => void };
  let base: string;
  const open: Probe[] = [];
  const probe = async (query = `?token=${TOKEN}`, protocols?: string[]): Promise<Probe> => {
    const p = await Probe.open(`${base}${query}`, protocols);
    open.push(p);
    return p;
  };

  before(async () => {
    dir = tempDir();
    const yaml = demoConfig({ port: 0, dataDir: dir.path, rate: 2000 }).replace('api:\n', `api:\n  auth_token: "${TOKEN}"\n`);
    inst = await startInstance(parseConfigText(yaml, 'demo'), silentLogger(), { liveFeed: { maxBufferedBytes: 128 * 1024, heartbeatMs: 600_000, maxMessagesPerSec: 10_000 } } /* the slow-client test floods pause/resume */);
    base = `ws://127.0.0.1:${inst.api!.address.port}/live`;
  });
  after(async () => {
    for (const p of open) p.close();
    await inst.stop(5000);
    dir.cleanup();
  });

  test('auth: no or wrong token → 401 on the upgrade; ?token= or the bearer subprotocol → accepted', async () => {
    assert.equal(await upgradeStatus(base), 401);
    assert.equal(await upgradeStatus(`${base}?token=wrong`), 401);
    assert.equal(await upgradeStatus(`${base}?token=${TOKEN}`), 101);
    assert.equal(await upgradeStatus(base, ['edgetail.v1', `bearer.${TOKEN}`]), 101);
    assert.equal(await upgradeStatus(base, [`bearer.${TOKEN}`]), 101);
    assert.equal(await upgradeStatus(base, ['bearer.nope']), 401);
  });

  test('a snapshot on connect, then per-second deltas with complete seconds', async () => {
    const p = await probe();
    await waitFor(() => p.of('delta').length >= 3 && p.of('delta').some((d) => d.seconds.length > 0), 'three deltas with data', 60_000);
    assert.equal(p.msgs[0]!.type, 'snapshot');
    const snap = p.msgs[0] as SnapshotMsg;
    assert.equal(snap.filter, null);
    assert.equal(snap.paused, false);
    assert.equal(snap.retentionSecs, 300);
    const deltas = p.of('delta');
    for (let i = 1; i < deltas.length; i++) {
      assert.equal(deltas[i]!.seq, deltas[i - 1]!.seq + 1);
      assert.ok(deltas[i]!.serverTime > deltas[i - 1]!.serverTime);
    }
    for (const d of deltas) {
      for (const s of d.seconds) {
        assert.ok(s.t < Math.floor(d.serverTime / 1000), 'only complete seconds are sent');
        assert.equal(Object.values(s.pops).reduce((a, b) => a + b, 0), s.requests, 'edge requests add up over POPs');
        assert.equal(s.cache.hit + s.cache.miss + s.cache.pass + s.cache.error + s.cache.synth <= s.requests, true);
        assert.equal(s.originViaCdn + s.originBypass, s.origin);
        if (s.cdnShare !== null) assert.equal(s.cdnShare, s.edge / (s.edge + s.originBypass));
      }
    }
    const withData = deltas.find((d) => d.seconds.some((s) => s.requests > 0))!;
    assert.ok(withData.topk.all.path.length > 0, 'top paths are listed');
    assert.equal(typeof withData.lagMs, 'number');
  });

  test('a filter {pop: IAD} yields only IAD numbers', async () => {
    const p = await probe();
    await waitFor(() => p.of('snapshot').length === 1, 'first snapshot', 30_000);
    p.send({ type: 'filter', filter: { pop: 'IAD' } });
    const snap = (await waitFor(() => p.of('snapshot').find((s) => s.filter !== null), 'filtered snapshot', 30_000))!;
    assert.deepEqual(snap.filter, { pop: 'IAD' });
    const from = p.msgs.indexOf(snap);
    await waitFor(() => p.of('delta', from).filter((d) => d.seconds.some((s) => s.requests > 0)).length >= 2, 'two filtered deltas with data', 60_000);
    await waitFor(() => p.of('tail', from).length >= 1, 'a filtered tail', 60_000);
    for (const d of p.of('delta', from) as DeltaMsg[]) {
      for (const s of d.seconds) {
        assert.deepEqual(Object.keys(s.pops).filter((k) => k !== 'IAD'), []);
        assert.equal(s.requests, s.pops.IAD ?? 0);
        assert.equal(s.origin, 0, 'origin lines have no pop');
        assert.deepEqual(Object.keys(s.originFetches).filter((k) => k !== 'IAD'), []);
      }
    }
    for (const t of p.of('tail', from) as TailMsg[]) for (const e of t.events) assert.equal(e.fields.pop, 'IAD');
    // Invalid filters are answered with an error, and the client keeps its view.
    p.send({ type: 'filter', filter: { expr: 'status ==' } });
    await waitFor(() => p.of('error', from).length === 1, 'an error reply', 30_000);
  });

  test('pause stops deltas, resume restarts them', async () => {
    const clock = await probe();
    const p = await probe();
    await waitFor(() => p.of('delta').length >= 1, 'a delta', 60_000);
    p.send({ type: 'pause' });
    // The filter reply's snapshot acknowledges the pause: messages are handled in order.
    p.send({ type: 'filter', filter: null });
    const ack = (await waitFor(() => p.of('snapshot').find((s) => s.paused), 'a paused snapshot', 30_000))!;
    const ackAt = p.msgs.indexOf(ack);
    const clockFrom = clock.msgs.length;
    await waitFor(() => clock.of('delta', clockFrom).length >= 3, 'three deltas on the other client', 60_000);
    assert.equal(p.of('delta', ackAt).length, 0, 'no deltas while paused');
    p.send({ type: 'resume' });
    const resumed = (await waitFor(() => p.of('snapshot', ackAt + 1).find((s) => !s.paused), 'the resume snapshot', 30_000))!;
    await waitFor(() => p.of('delta', p.msgs.indexOf(resumed)).length >= 2, 'deltas after resume', 60_000);
  });

  test('a slow client gets frames dropped (and is told) while a normal client receives every delta', async () => {
    const normal = await probe();
    const slow = await probe(`?token=${TOKEN}`);
    await waitFor(() => slow.of('snapshot').length >= 1 && normal.of('snapshot').length >= 1, 'snapshots', 30_000);
    slow.ws.pause(); // stop reading: the server's send buffer for it fills
    const feed = inst.liveFeed!;
    const dropped0 = feed.stats().framesDropped;
    await waitFor(() => {
      // Ask for snapshots (pause + resume) faster than an unread socket can take them.
      for (let i = 0; i < 20; i++) {
        slow.send({ type: 'pause' });
        slow.send({ type: 'resume' });
      }
      return feed.stats().framesDropped > dropped0;
    }, 'frames dropped for the slow client', 120_000, 200);
    const normalFrom = normal.msgs.length;
    const droppedNow = feed.stats().framesDropped;
    // Keep the slow client backed up while the normal one receives three more deltas.
    await waitFor(() => normal.of('delta', normalFrom).length >= 3 && feed.stats().framesDropped > droppedNow, 'normal deltas while the slow client drops', 60_000);
    slow.ws.resume();
    const notice = (await waitFor(() => slow.of('dropped')[0], 'a dropped notice', 60_000))!;
    assert.ok(notice.count > 0);
    const at = slow.msgs.indexOf(notice);
    await waitFor(() => slow.msgs.length > at + 1, 'the resync snapshot', 30_000);
    assert.equal(slow.msgs[at + 1]!.type, 'snapshot', 'a fresh snapshot follows the notice');
    // The normal client never missed a frame.
    assert.equal(normal.of('dropped').length, 0);
    const deltas = normal.of('delta');
    assert.ok(deltas.length >= 3);
    for (let i = 1; i < deltas.length; i++) assert.equal(deltas[i]!.seq, deltas[i - 1]!.seq + 1, 'consecutive deltas');
  });
});
