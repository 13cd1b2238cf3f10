import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { makeLogEvent, type Event } from '../../../src/core/event.js';
import { Finalizer, type BatchStatus } from '../../../src/core/finalizer.js';
import { SinkRunner } from '../../../src/delivery/runner.js';
import { sinkSchema, type CommonSinkConfig } from '../../../src/delivery/config.js';
import type { SendResult, SinkDriver } from '../../../src/delivery/types.js';
import { DiskBuffer } from '../../../src/buffer/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { tempDir, testContext, waitFor } from '../../helpers/context.js';

class Driver implements SinkDriver<Event[]> {
  up: boolean;
  delivered: string[] = [];
  constructor(up: boolean) {
    this.up = up;
  }
  encode(events: Event[]): Event[] {
    return events;
  }
  async send(payload: Event[]): Promise<SendResult> {
    if (!this.up) return { kind: 'retryable', reason: 'receiver down' };
    for (const e of payload) this.delivered.push(e.id);
    return { kind: 'ok' };
  }
}

function config(): CommonSinkConfig {
  return sinkSchema({}).parse({
    type: 'fake',
    inputs: ['in'],
    healthcheck: { enabled: false },
    buffer: { type: 'disk' },
    batch: { max_events: 4, timeout_secs: 0.01 },
    request: { concurrency: 1, retry_initial_backoff_secs: 0.01, retry_max_backoff_secs: 0.02 },
  }) as CommonSinkConfig;
}

const evs = (p: string, n: number) => Array.from({ length: n }, (_, i) => makeLogEvent('src', `${p}${i}`, 0, {}, `l${i}`, 10));

describe('SinkRunner with a disk buffer', () => {
  test('finalizers are released once the batch is on disk; a restart delivers what the endpoint never took', async () => {
    const dir = tempDir();
    try {
      const down = new Driver(false);
      const r1 = new SinkRunner({ id: 'out', type: 'fake', config: config(), driver: down, ctx: testContext('out', 'fake', dir.path) });
      await r1.start();
      const statuses: BatchStatus[] = [];
      await r1.accept(evs('a', 6), new Finalizer((s) => statuses.push(s)));
      assert.deepEqual(statuses, ['delivered'], 'released on the durable write, while the endpoint is down');
      assert.equal(r1.describe().buffer && (r1.describe().buffer as { type: string }).type, 'disk');
      await r1.drain(50); // the endpoint stays down: the deadline aborts, nothing is acknowledged
      assert.deepEqual(down.delivered, []);

      const up = new Driver(true);
      const ctx2 = testContext('out', 'fake', dir.path);
      const r2 = new SinkRunner({ id: 'out', type: 'fake', config: config(), driver: up, ctx: ctx2 });
      assert.equal(ctx2.metrics.counts.bufferEvents, 6, 'the recovered events are reported from the start');
      assert.equal(ctx2.metrics.counts.bufferBytes, 60);
      await r2.start();
      await waitFor(() => up.delivered.length === 6, 'the buffered events delivered after the restart');
      assert.deepEqual(up.delivered, ['a0', 'a1', 'a2', 'a3', 'a4', 'a5']);
      await r2.drain(10_000);

      const r3 = new SinkRunner({ id: 'out', type: 'fake', config: config(), driver: new Driver(true), ctx: testContext('out', 'fake', dir.path) });
      assert.equal(r3.health().bufferEvents, 0, 'delivered events are not re-sent');
      await r3.drain(0);
    } finally {
      dir.cleanup();
    }
  });

  test('drain does not wait on a dead endpoint: the retrying batch and the rest stay in the disk buffer', { timeout: 20_000 }, async () => {
    const dir = tempDir();
    try {
      const down = new Driver(false);
      let sends = 0;
      const send = down.send.bind(down);
      down.send = (p) => { sends++; return send(p); };
      // A retry backoff of a minute: the first batch is asleep in it when the drain starts.
      const cfg = () => sinkSchema({}).parse({ ...config(), request: { concurrency: 1, retry_initial_backoff_secs: 60, retry_max_backoff_secs: 60 } }) as CommonSinkConfig;
      const r1 = new SinkRunner({ id: 'out', type: 'fake', config: cfg(), driver: down, ctx: testContext('out', 'fake', dir.path) });
      await r1.start();
      await r1.accept(evs('a', 10));
      await waitFor(() => sends === 1, 'the first batch was sent and failed');
      // Ten minutes of deadline: the test's own 20 s timeout fails if the drain waits for it.
      await r1.drain(600_000);
      assert.equal(sends, 1, 'no retry and no further batch while draining');
      assert.deepEqual(down.delivered, []);

      const up = new Driver(true);
      const r2 = new SinkRunner({ id: 'out', type: 'fake', config: cfg(), driver: up, ctx: testContext('out', 'fake', dir.path) });
      assert.equal(r2.health().bufferEvents, 10, 'all ten events are still in the buffer');
      await r2.start();
      await waitFor(() => up.delivered.length === 10, 'delivered after the restart');
      assert.deepEqual(up.delivered, evs('a', 10).map((e) => e.id));
      await r2.drain(10_000);
    } finally {
      dir.cleanup();
    }
  });

  test('a buffer that cannot write makes the sink unhealthy and back-pressures accept until writes work again', async () => {
    const dir = tempDir();
    try {
      const up = new Driver(true);
      const r = new SinkRunner({ id: 'out', type: 'fake', config: config(), driver: up, ctx: testContext('out', 'fake', dir.path) });
      await r.start();
      const bufDir = join(dir.path, 'buffers', 'out');
      rmSync(bufDir, { recursive: true, force: true }); // the segment cannot be created
      let accepted = false;
      const p = r.accept(evs('a', 2)).then(() => { accepted = true; });
      await waitFor(() => !r.health().healthy, 'the sink reports the write problem');
      assert.match(r.health().reason ?? '', /disk buffer write failed/);
      assert.equal(accepted, false);
      mkdirSync(bufDir, { recursive: true });
      await p;
      await waitFor(() => up.delivered.length === 2, 'delivered after the disk recovered');
      assert.equal(r.health().healthy, true);
      await r.drain(10_000);
    } finally {
      dir.cleanup();
    }
  });

  test('kill -9 while pushing: every push that resolved is in the buffer after reopening', async () => {
    const dir = tempDir();
    try {
      const bufDir = join(dir.path, 'buf');
      // Compiled (dist/…/*.js) or run from source with tsx (*.ts): the child matches this file.
      const compiled = import.meta.filename.endsWith('.js');
      const args = compiled ? [join(import.meta.dirname, 'disk-child.js'), bufDir] : ['--import', 'tsx', join(import.meta.dirname, 'disk-child.ts'), bufDir];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      const pushed: string[] = [];
      const acked = new Set<string>();
      let text = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => {
        text += d;
        const lines = text.split('\n');
        text = lines.pop()!;
        for (const l of lines) {
          if (l.startsWith('P ')) pushed.push(l.slice(2));
          else if (l.startsWith('A ')) for (const id of l.slice(2).split(',')) acked.add(id);
        }
        if (pushed.length >= 60 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
      const [, signal] = (await once(child, 'exit')) as [number | null, string | null];
      assert.equal(signal, 'SIGKILL');
      assert.ok(pushed.length >= 60);
      assert.ok(acked.size > 0);
      const b = new DiskBuffer({ dir: bufDir, logger: silentLogger(), cacheBytes: 0 });
      const present = new Set<string>();
      for (let c = b.take(10_000, 1 << 30); c !== null; c = b.take(10_000, 1 << 30)) {
        for (const e of c.events) present.add(e.id);
        b.ack(c);
      }
      await b.close();
      // Each pushed line names a batch of 5 events pushed as one record; acknowledged events may be gone.
      const expected = pushed.flatMap((batch) => [0, 1, 2, 3, 4].map((i) => `${batch}-${i}`)).filter((id) => !acked.has(id));
      assert.ok(expected.length > 0);
      assert.deepEqual(expected.filter((id) => !present.has(id)), []);
    } finally {
      dir.cleanup();
    }
  });
});
