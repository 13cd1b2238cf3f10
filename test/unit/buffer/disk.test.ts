import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import type { Logger } from '../../../src/core/component.js';
import { makeLogEvent, makeMetricEvent, type Event, type LogEvent } from '../../../src/core/event.js';
import { EdgetailError } from '../../../src/core/errors.js';
import { Finalizer, type BatchStatus } from '../../../src/core/finalizer.js';
import { createBuffer, DiskBuffer, type Chunk, type DiskBufferOptions } from '../../../src/buffer/index.js';
import { encodeRecord } from '../../../src/buffer/disk/record.js';
import { crc32c } from '../../../src/buffer/disk/crc32c.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { tempDir, waitFor } from '../../helpers/context.js';
import { mountTmpfs } from '../../helpers/tmpfs.js';

interface Logged { level: string; obj: Record<string, unknown>; msg: string | undefined }

function captureLogger(): Logger & { lines: Logged[] } {
  const lines: Logged[] = [];
  const at = (level: string) => (obj: object | string, msg?: string) => {
    lines.push(typeof obj === 'string' ? { level, obj: {}, msg: obj } : { level, obj: obj as Record<string, unknown>, msg });
  };
  const l = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => l };
  return l;
}

function evs(prefix: string, n: number, size = 10): LogEvent[] {
  return Array.from({ length: n }, (_, i) => makeLogEvent('src', `${prefix}${i}`, 1_700_000_000_000 + i, { status: 200, host: 'h' }, `line ${prefix}${i}`, size));
}

function fin(): { f: Finalizer; statuses: BatchStatus[] } {
  const statuses: BatchStatus[] = [];
  return { f: new Finalizer((s) => statuses.push(s)), statuses };
}

const ids = (c: Chunk | null) => c?.events.map((e) => e.id);

/** Takes and acks everything queued; returns the ids in order. */
function drainAll(b: DiskBuffer): string[] {
  const out: string[] = [];
  for (let c = b.take(1000, 1 << 30); c !== null; c = b.take(1000, 1 << 30)) {
    for (const e of c.events) out.push(e.id);
    b.ack(c);
  }
  return out;
}

/** Bytes of the record holding `events` on disk: 20-byte header + the JSON payload (docs/buffers.md). */
const recordBytes = (events: Event[]) => encodeRecord(events, 0).length;

const segFiles = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.seg')).sort();

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const t = tempDir('edgetail-disk-');
    try {
      await fn(join(t.path, 'buf'));
    } finally {
      t.cleanup();
    }
  };
}

function open(dir: string, opts: Partial<DiskBufferOptions> = {}): DiskBuffer {
  return new DiskBuffer({ dir, logger: silentLogger(), cacheBytes: 0, ...opts });
}

describe('crc32c', () => {
  test('matches the published check value and chains', () => {
    const data = Buffer.from('123456789');
    assert.equal(crc32c(data), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
    assert.equal(crc32c(data, 4, 9, crc32c(data, 0, 4)), 0xe3069283);
    // 32 bytes of zeros (RFC 3720 B.4)
    assert.equal(crc32c(Buffer.alloc(32)), 0x8a9136aa);
  });
});

describe('DiskBuffer', () => {
  test('round trip: events come back equal, read from the segment; finalizer released on push', withDir(async (dir) => {
    const b = open(dir);
    const logs = evs('a', 3);
    logs[1]!.raw = undefined;
    const metric = makeMetricEvent('m', 'm1', { name: 'req', kind: 'histogram', buckets: [{ le: 0.1, count: 2 }, { le: Infinity, count: 5 }], sum: 3.5, count: 5, tags: { pop: 'AMS' }, timestamp: 5 });
    const { f, statuses } = fin();
    assert.equal(await b.push([...logs, metric], f), 0);
    assert.deepEqual(statuses, ['delivered'], 'released once durably written, before any delivery');
    assert.equal(b.events, 4);
    assert.equal(b.queuedEvents, 4);
    assert.equal(b.queuedBytes, 30 + 64 + 3);
    const c = b.take(100, 1 << 20)!;
    assert.deepEqual(c.events, [...logs, metric]);
    assert.equal(c.bytes, 97);
    assert.equal(b.queuedEvents, 0);
    assert.equal(b.events, 4, 'taken events count until acked');
    b.ack(c);
    assert.equal(b.events, 0);
    assert.equal(b.take(100, 100), null);
    await b.close();
    await assert.rejects(b.push(evs('z', 1)), (e: unknown) => e instanceof EdgetailError && e.code === 'SHUTDOWN');
  }));

  test('take splits records by maxEvents and maxBytes, oldest first', withDir(async (dir) => {
    const b = open(dir);
    await b.push(evs('a', 3));
    await b.push(evs('b', 3));
    assert.deepEqual(ids(b.take(4, 1000)), ['a0', 'a1', 'a2', 'b0']);
    assert.deepEqual(ids(b.take(100, 15)), ['b1']);
    assert.deepEqual(ids(b.take(100, 1000)), ['b2']);
    assert.equal(b.take(100, 1000), null);
    await b.close();
  }));

  test('restart resumes from the ledger: unacked re-delivered, acked not; out-of-order acks', withDir(async (dir) => {
    let b = open(dir);
    await b.push(evs('a', 2));
    await b.push(evs('b', 2));
    await b.push(evs('c', 2));
    const ca = b.take(2, 1000)!;
    const cb = b.take(2, 1000)!;
    const cc = b.take(2, 1000)!;
    b.ack(cc);
    b.ack(cb); // a is still in flight: the ack position must not move
    await b.close();
    const seg = segFiles(dir)[0]!;
    const ledger = JSON.parse(readFileSync(join(dir, 'ledger.json'), 'utf8')) as { ack: { segment: number; offset: number } };
    assert.deepEqual(ledger.ack, { segment: Number(seg.slice(0, -4)), offset: 0 });
    void ca;

    b = open(dir);
    assert.equal(b.events, 6);
    const first = b.take(2, 1000)!;
    assert.deepEqual(ids(first), ['a0', 'a1']);
    b.ack(first);
    await b.close();

    b = open(dir);
    assert.deepEqual(drainAll(b), ['b0', 'b1', 'c0', 'c1']);
    await b.close();

    b = open(dir);
    assert.equal(b.events, 0);
    assert.equal(b.take(10, 1000), null);
    await b.push(evs('d', 1));
    await b.close();
    b = open(dir);
    assert.deepEqual(drainAll(b), ['d0']);
    await b.close();
  }));

  test('a chunk split over two takes: the record is acked only when both pieces are', withDir(async (dir) => {
    let b = open(dir);
    await b.push(evs('a', 4));
    const p1 = b.take(2, 1000)!;
    const p2 = b.take(2, 1000)!;
    b.ack(p2);
    await b.close();
    void p1;
    b = open(dir);
    assert.deepEqual(drainAll(b), ['a0', 'a1', 'a2', 'a3']);
    await b.close();
  }));

  test('segments rotate and are deleted once every record in them is acknowledged', withDir(async (dir) => {
    const b = open(dir, { segmentMaxBytes: 1 }); // every record in a segment of its own
    for (const p of ['a', 'b', 'c', 'd', 'e']) await b.push(evs(p, 2));
    assert.equal(segFiles(dir).length, 5);
    const chunks = [b.take(2, 1000)!, b.take(2, 1000)!, b.take(2, 1000)!];
    b.ack(chunks[1]!);
    b.ack(chunks[2]!);
    await tick();
    assert.equal(segFiles(dir).length, 5, 'nothing deleted while the first record is unacked');
    const all = segFiles(dir);
    b.ack(chunks[0]!);
    await waitFor(() => segFiles(dir).length === 2, 'three acknowledged segments deleted');
    assert.deepEqual(segFiles(dir), all.slice(3));
    assert.deepEqual(drainAll(b), ['d0', 'd1', 'e0', 'e1']);
    await waitFor(() => segFiles(dir).length === 1, 'all but the current segment deleted');
    assert.deepEqual(segFiles(dir), all.slice(4));
    await b.close();
    const r = open(dir);
    assert.equal(r.events, 0);
    await r.close();
  }));

  test('concurrent pushes share writes and keep their order', withDir(async (dir) => {
    const b = open(dir, { segmentMaxBytes: 300 });
    const finals = Array.from({ length: 20 }, () => fin());
    await Promise.all(finals.map((x, i) => b.push(evs(`p${i}-`, 3), x.f)));
    for (const x of finals) assert.deepEqual(x.statuses, ['delivered']);
    const expected = Array.from({ length: 20 }, (_, i) => [`p${i}-0`, `p${i}-1`, `p${i}-2`]).flat();
    await b.close();
    const r = open(dir);
    assert.deepEqual(drainAll(r), expected);
    await r.close();
  }));

  test('a flipped byte in a record: reported with segment and offset, counted, the rest delivered', withDir(async (dir) => {
    let b = open(dir);
    const batches = [evs('a', 2), evs('b', 2), evs('c', 2)];
    for (const x of batches) await b.push(x);
    await b.close();
    const seg = segFiles(dir)[0]!;
    const path = join(dir, seg);
    const bytes = readFileSync(path);
    const secondAt = recordBytes(batches[0]!);
    assert.equal(bytes.length, recordBytes(batches[0]!) + recordBytes(batches[1]!) + recordBytes(batches[2]!));
    bytes[secondAt + 40]! ^= 0x01; // inside the second record's payload
    writeFileSync(path, bytes);

    const logger = captureLogger();
    let counted = 0;
    b = open(dir, { logger, onCorrupt: (n) => { counted += n; } });
    assert.equal(counted, 1);
    assert.equal(b.corruptRecords, 1);
    const err = logger.lines.find((l) => l.level === 'error')!;
    assert.equal(err.obj.segment, seg);
    assert.equal(err.obj.offset, secondAt);
    assert.equal(b.events, 4);
    assert.deepEqual(drainAll(b), ['a0', 'a1', 'c0', 'c1']);
    await b.close();
    b = open(dir, { onCorrupt: () => { counted += 1; } });
    assert.equal(counted, 1, 'acknowledged past the damage: not reported again');
    await b.close();
  }));

  test('a damaged length field: the reader resynchronises on the next record', withDir(async (dir) => {
    let b = open(dir);
    const batches = [evs('a', 2), evs('b', 2), evs('c', 2)];
    for (const x of batches) await b.push(x);
    await b.close();
    const path = join(dir, segFiles(dir)[0]!);
    const bytes = readFileSync(path);
    bytes[recordBytes(batches[0]!) + 4]! ^= 0x07; // low byte of the second record's length
    writeFileSync(path, bytes);
    let counted = 0;
    b = open(dir, { onCorrupt: (n) => { counted += n; } });
    assert.equal(counted, 1);
    assert.deepEqual(drainAll(b), ['a0', 'a1', 'c0', 'c1']);
    await b.close();
  }));

  test('a truncated tail: the torn record is counted, the rest delivered, writing goes on', withDir(async (dir) => {
    let b = open(dir);
    const batches = [evs('a', 2), evs('b', 2), evs('c', 2)];
    for (const x of batches) await b.push(x);
    await b.close();
    const path = join(dir, segFiles(dir)[0]!);
    const size = recordBytes(batches[0]!) + recordBytes(batches[1]!) + recordBytes(batches[2]!);
    truncateSync(path, size - 5);
    const logger = captureLogger();
    let counted = 0;
    b = open(dir, { logger, onCorrupt: (n) => { counted += n; } });
    assert.equal(counted, 1);
    const err = logger.lines.find((l) => l.level === 'error')!;
    assert.equal(err.obj.offset, recordBytes(batches[0]!) + recordBytes(batches[1]!));
    assert.equal(b.events, 4);
    await b.push(evs('d', 1));
    assert.deepEqual(drainAll(b), ['a0', 'a1', 'b0', 'b1', 'd0']);
    await b.close();
    b = open(dir, { onCorrupt: () => { counted += 1; } });
    assert.equal(counted, 1);
    assert.equal(b.events, 0);
    await b.close();
  }));

  test('a record damaged after it was written is skipped at read time, never a stuck reader', withDir(async (dir) => {
    const logger = captureLogger();
    let counted = 0;
    const b = open(dir, { logger, onCorrupt: (n) => { counted += n; } });
    const batches = [evs('a', 2), evs('b', 2)];
    for (const x of batches) await b.push(x);
    const path = join(dir, segFiles(dir)[0]!);
    const bytes = readFileSync(path);
    bytes[30]! ^= 0xff; // first record's payload
    writeFileSync(path, bytes);
    assert.deepEqual(drainAll(b), ['b0', 'b1']);
    assert.equal(counted, 1);
    assert.equal(b.events, 0);
    assert.equal(logger.lines.find((l) => l.level === 'error')!.obj.offset, 0);
    await b.close();
  }));

  test('when_full block with a tiny max_bytes: pushes wait for room and nothing is lost', withDir(async (dir) => {
    const b = open(dir, { max_bytes: 30 });
    const pushes = Array.from({ length: 10 }, (_, i) => b.push(evs(`p${i}-`, 2, 10)));
    await tick();
    assert.ok(b.waitingPushes > 0);
    const got: string[] = [];
    while (got.length < 20) {
      await waitFor(() => b.queuedEvents > 0, 'queued events');
      assert.ok(b.bytes <= 30, `held ${b.bytes} bytes`);
      const c = b.take(100, 1000)!;
      for (const e of c.events) got.push(e.id);
      b.ack(c);
    }
    assert.deepEqual(await Promise.all(pushes), Array(10).fill(0));
    assert.deepEqual(got, Array.from({ length: 10 }, (_, i) => [`p${i}-0`, `p${i}-1`]).flat());
    await b.close();
  }));

  test('when_full drop_newest: drops exactly what does not fit and counts it', withDir(async (dir) => {
    const b = open(dir, { max_bytes: 50, when_full: 'drop_newest' });
    assert.equal(await b.push(evs('a', 4, 10)), 0);
    const second = fin();
    assert.equal(await b.push(evs('b', 3, 10), second.f), 2);
    assert.deepEqual(second.statuses, ['dropped']);
    const third = fin();
    assert.equal(await b.push(evs('c', 2, 10), third.f), 2);
    assert.deepEqual(third.statuses, ['dropped']);
    assert.equal(b.events, 5);
    await b.close();
    const r = open(dir, { max_bytes: 50, when_full: 'drop_newest' });
    assert.deepEqual(drainAll(r), ['a0', 'a1', 'a2', 'a3', 'b0']);
    await r.close();
  }));

  test('close rejects waiting pushes with SHUTDOWN and keeps their finalizers', withDir(async (dir) => {
    const b = open(dir, { max_bytes: 10 });
    await b.push(evs('a', 1, 10));
    const waiting = fin();
    const p = b.push(evs('b', 1, 10), waiting.f);
    await tick();
    const rejected = assert.rejects(p, (e: unknown) => e instanceof EdgetailError && e.code === 'SHUTDOWN');
    await b.close();
    await rejected;
    assert.equal(waiting.f.pending, 1);
  }));

  test('write failures: pushes wait, problem is reported, the write is retried and nothing is lost', withDir(async (dir) => {
    const b = open(dir, { retryInitialMs: 5, retryMaxMs: 20, logger: captureLogger() });
    rmSync(dir, { recursive: true, force: true }); // the first segment cannot be created
    const f = fin();
    let resolved = false;
    const p = b.push(evs('a', 2), f.f).then((d) => { resolved = true; return d; });
    await waitFor(() => b.problem !== undefined, 'problem reported');
    assert.equal(resolved, false);
    assert.deepEqual(f.statuses, []);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    assert.equal(await p, 0);
    assert.equal(b.problem, undefined);
    assert.deepEqual(f.statuses, ['delivered']);
    assert.deepEqual(drainAll(b), ['a0', 'a1']);
    await b.close();
  }));

  test('a full disk (64 KiB tmpfs): pushes wait with ENOSPC reported; once the records are acknowledged their segment is deleted and writing resumes, nothing lost', { timeout: 30_000 }, async (t) => {
    const fs = mountTmpfs(64 * 1024);
    if (typeof fs === 'string') return t.skip(fs);
    try {
      const dir = join(fs.path, 'buf');
      const b = open(dir, { retryInitialMs: 5, retryMaxMs: 20 });
      const pushed: string[] = [];
      let stuck: Promise<number> | undefined;
      for (let i = 0; stuck === undefined; i++) {
        assert.ok(i < 1000, 'the disk never filled');
        const batch = evs(`p${i}-`, 50);
        let resolved = false;
        const p = b.push(batch).then((d) => { resolved = true; return d; });
        for (const e of batch) pushed.push(e.id);
        while (!resolved && b.problem === undefined) await new Promise((r) => setTimeout(r, 2));
        if (!resolved) stuck = p;
      }
      assert.match(b.problem!, /ENOSPC/);
      assert.deepEqual(segFiles(dir), ['00000000000000000001.seg']);
      let resumed = false;
      void stuck.then(() => { resumed = true; });
      // Deliver everything that is on disk; the full segment can then go, and the waiting push gets in.
      const got = drainAll(b);
      assert.equal(got.length, pushed.length - 50);
      assert.equal(await stuck, 0);
      assert.equal(resumed, true);
      assert.equal(b.problem, undefined);
      got.push(...drainAll(b));
      assert.deepEqual(got, pushed);
      assert.equal(segFiles(dir).includes('00000000000000000001.seg'), false, 'the full segment was deleted');
      await b.close();
      assert.deepEqual(drainAll(open(dir)), [], 'nothing is re-delivered after a clean close');
    } finally {
      fs.unmount();
    }
  });

  test('acknowledged segments are deleted even while the ledger cannot be written', withDir(async (dir) => {
    const b = open(dir, { segmentMaxBytes: 300 });
    mkdirSync(join(dir, 'ledger.json.tmp')); // every ledger write fails (EISDIR)
    for (const p of ['a', 'b', 'c', 'd']) await b.push(evs(p, 2));
    assert.equal(segFiles(dir).length, 4, 'one record per segment');
    assert.equal(drainAll(b).length, 8);
    await waitFor(() => segFiles(dir).length === 1, 'the acknowledged segments deleted');
    assert.equal(existsSync(join(dir, 'ledger.json')), false, 'the ledger was never written');
    // A crash now: no ledger, so recovery scans what is left: only the last (acknowledged) record
    // is sent again (at-least-once), the deleted ones are not.
    const crashed = open(dir);
    assert.deepEqual(ids(crashed.take(1000, 1 << 30)), ['d0', 'd1']);
    await crashed.close();
    rmSync(join(dir, 'ledger.json.tmp'), { recursive: true });
    await b.close();
    assert.deepEqual(drainAll(open(dir)), [], 'the ledger written at close: nothing re-delivered');
  }));

  for (const sync of ['interval', 'never'] as const) {
    test(`sync: ${sync} keeps what was pushed across a restart`, withDir(async (dir) => {
      const b = open(dir, { sync, syncIntervalMs: 10, segmentMaxBytes: 200 });
      for (const p of ['a', 'b', 'c']) await b.push(evs(p, 2));
      await b.close();
      const r = open(dir);
      assert.deepEqual(drainAll(r), ['a0', 'a1', 'b0', 'b1', 'c0', 'c1']);
      await r.close();
    }));
  }

  test('createBuffer: type disk lives in data_dir/buffers/<sink> with the configured limits', withDir(async (dir) => {
    const b = createBuffer({ type: 'disk', max_bytes: 1234, when_full: 'drop_newest', sync: 'never' }, { id: 'out', dataDir: dir, logger: silentLogger() });
    assert.ok(b instanceof DiskBuffer);
    assert.equal(b.kind, 'disk');
    assert.equal(b.maxBytes, 1234);
    assert.equal(b.whenFull, 'drop_newest');
    await b.push(evs('a', 1));
    assert.equal(segFiles(join(dir, 'buffers', 'out')).length, 1);
    await b.close();
    const d = createBuffer({ type: 'disk' }, { id: 'd', dataDir: dir, logger: silentLogger() }) as DiskBuffer;
    assert.equal(d.maxBytes, 256 * 1024 * 1024);
    await d.close();
  }));
});
