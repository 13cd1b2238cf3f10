/**
 * Disk buffers through the real CLI (issue "Durable disk buffers"): the data_dir lock, corruption
 * found at restart, `when_full` with a tiny max_bytes, a full disk, and what /ready, /metrics and
 * /api/topology say meanwhile. The kill -9 loop lives in disk-buffer-kill9.test.ts.
 *
 * Lines are fixed-width (`L0000000\n`: 9 bytes in the file, event size 8), so byte counts are
 * computed by hand: max_bytes 4000 holds exactly 500 events.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiAddress, startEdgetail, type Running } from '../helpers/cli.js';
import { fixedWidthLines, startOffsetReceiver, type OffsetReceiver } from '../helpers/offset-receiver.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { mountTmpfs } from '../helpers/tmpfs.js';
import { decodeEvents } from '../../src/buffer/disk/record.js';

const LINE_BYTES = 9;

interface Setup {
  dataDir: string;
  logFile: string;
  receiver: OffsetReceiver;
  api?: boolean;
  buffer: string;
  extraSink?: string[];
}

function writeConfig(path: string, s: Setup): string {
  writeFileSync(
    path,
    [
      `data_dir: ${s.dataDir}`,
      s.api ? 'api: { address: "127.0.0.1:0" }' : 'api: { enabled: false }',
      'sources:',
      '  edge:',
      '    type: file',
      `    include: [${s.logFile}]`,
      '    format: raw',
      '    max_batch_events: 100',
      '    poll_interval_ms: 50',
      'sinks:',
      '  out:',
      '    type: http',
      '    inputs: [edge]',
      `    uri: ${s.receiver.url}`,
      '    healthcheck: { enabled: false }',
      '    encoding: { codec: ndjson, only_fields: [message, event_id] }',
      '    batch: { max_events: 100, timeout_secs: 0.05 }',
      '    request: { concurrency: 2, timeout_secs: 300, retry_initial_backoff_secs: 0.05, retry_max_backoff_secs: 0.2 }',
      `    buffer: ${s.buffer}`,
      ...(s.extraSink ?? []),
    ].join('\n'),
  );
  return path;
}

/** A running edgetail with its API address (read from the `api listening` log line). */
async function startWithApi(config: string): Promise<{ proc: Running; get: (path: string) => Promise<{ status: number; body: any }>; metric: (name: string, labels: string) => Promise<number | undefined> }> {
  const proc = startEdgetail(['run', '--config', config], { EDGETAIL_LOG: 'info' });
  const address = await waitFor(() => {
    if (proc.child.exitCode !== null) throw new Error(`edgetail exited: ${proc.stderr()}`);
    return apiAddress(proc);
  }, 'the API address', 60_000).catch((err: unknown) => {
    proc.child.kill('SIGKILL'); // the caller never got it, so it cannot clean it up
    throw err;
  });
  const get = async (path: string) => {
    const r = await fetch(`http://${address}${path}`);
    const text = await r.text();
    return { status: r.status, body: path === '/metrics' ? text : JSON.parse(text) };
  };
  const metric = async (name: string, labels: string) => {
    const text = (await get('/metrics')).body as string;
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return { proc, get, metric };
}

async function stop(proc: Running): Promise<void> {
  proc.child.kill('SIGTERM');
  const { code } = await proc.exited;
  assert.equal(code, 0, `graceful stop failed: ${proc.stderr()}`);
}

const sinkOut = (topology: any) => (topology.sinks as any[]).find((s) => s.id === 'out');

/** The records of a segment, parsed from the documented format (docs/buffers.md), with their lines. */
function records(path: string): { offset: number; length: number; lines: number[] }[] {
  const buf = readFileSync(path);
  const out: { offset: number; length: number; lines: number[] }[] = [];
  for (let at = 0; at + 20 <= buf.length; ) {
    assert.equal(buf.readUInt32LE(at), 0xed7a11b5, `record magic at ${at}`);
    const length = 20 + buf.readUInt32LE(at + 4);
    const events = decodeEvents(buf.subarray(at + 20, at + length));
    out.push({ offset: at, length, lines: events.map((e) => Number(e.id.slice(e.id.lastIndexOf(':') + 1)) / LINE_BYTES) });
    at += length;
  }
  return out;
}

describe('disk buffer through the CLI', { timeout: 180_000 }, () => {
  test('data_dir lock: a second edgetail on the same data_dir refuses to start, naming the directory and the owner', async () => {
    const dir = tempDir();
    const receiver = await startOffsetReceiver(1100, LINE_BYTES);
    let first: Running | undefined;
    try {
      const dataDir = join(dir.path, 'data');
      const logFile = join(dir.path, 'edge.log');
      writeFileSync(logFile, fixedWidthLines(1000, LINE_BYTES));
      const config = writeConfig(join(dir.path, 'edgetail.yaml'), { dataDir, logFile, receiver, buffer: '{ type: disk }' });
      first = startEdgetail(['run', '--config', config]);
      const running = first;
      await waitFor(() => receiver.distinct === 1000 || running.child.exitCode !== null, 'the first instance delivers');
      const second = startEdgetail(['run', '--config', config]);
      const { code } = await second.exited;
      assert.equal(code, 1);
      assert.match(second.stderr(), new RegExp(`data_dir ${dataDir} is in use by another edgetail process \\(pid ${first.child.pid}`));
      assert.equal(receiver.total, 1000, 'the second instance sent nothing');
      assert.equal(JSON.parse(readFileSync(join(dataDir, '.lock'), 'utf8')).pid, first.child.pid);
      await stop(first);
      first = undefined;
      assert.equal(existsSync(join(dataDir, '.lock')), false, 'the lock is released on a clean stop');
      appendFileSync(logFile, fixedWidthLines(1100, LINE_BYTES).slice(1000 * LINE_BYTES));
      const third = startEdgetail(['run', '--config', config]);
      first = third;
      await waitFor(() => receiver.distinct === 1100 || third.child.exitCode !== null, 'the next instance runs and delivers');
      assert.equal(JSON.parse(readFileSync(join(dataDir, '.lock'), 'utf8')).pid, third.child.pid);
      await stop(third);
      first = undefined;
    } finally {
      first?.child.kill('SIGKILL');
      await receiver.close();
      dir.cleanup();
    }
  });

  test('corruption: a flipped byte and a truncated tail in the last segment are reported with segment and offset and counted; everything else is delivered', async () => {
    const dir = tempDir();
    const lines = 3000;
    const receiver = await startOffsetReceiver(lines + 100, LINE_BYTES);
    let proc: Running | undefined;
    try {
      const dataDir = join(dir.path, 'data');
      const logFile = join(dir.path, 'edge.log');
      writeFileSync(logFile, fixedWidthLines(lines, LINE_BYTES));
      const config = writeConfig(join(dir.path, 'edgetail.yaml'), { dataDir, logFile, receiver, api: true, buffer: '{ type: disk }' });
      await receiver.down(); // nothing is delivered: everything stays in the buffer
      const first = await startWithApi(config);
      proc = first.proc;
      await waitFor(async () => sinkOut((await first.get('/api/topology')).body).buffer.events === lines, 'every line in the disk buffer');
      await stop(first.proc); // the endpoint is down: the drain leaves the buffer as it is
      proc = undefined;

      const bufDir = join(dataDir, 'buffers', 'out');
      const segs = readdirSync(bufDir).filter((n) => n.endsWith('.seg')).sort();
      const last = segs[segs.length - 1]!;
      const recs = records(join(bufDir, last));
      assert.ok(recs.length >= 4, `${recs.length} records`);
      const flipped = recs[1]!;
      const torn = recs[recs.length - 1]!;
      const path = join(bufDir, last);
      const bytes = readFileSync(path);
      bytes[flipped.offset + 20 + Math.floor((flipped.length - 20) / 2)]! ^= 0x04;
      writeFileSync(path, bytes);
      truncateSync(path, torn.offset + Math.floor(torn.length / 2));
      const lost = new Set([...flipped.lines, ...torn.lines]);

      await receiver.up();
      const second = await startWithApi(config);
      proc = second.proc;
      await waitFor(() => receiver.distinct === lines - lost.size, 'the undamaged records delivered');
      // The buffer keeps working after the damage: new lines go through.
      appendFileSync(logFile, fixedWidthLines(lines + 100, LINE_BYTES).slice(lines * LINE_BYTES));
      await waitFor(() => receiver.distinct === lines + 100 - lost.size, 'lines written after the restart delivered');
      assert.equal(await second.metric('edgetail_buffer_corrupt_records_total', 'component_id="out"'), 2);
      assert.equal(await second.metric('edgetail_component_errors_total', 'error_type="buffer_corrupt_record"'), 2);
      await stop(second.proc);
      proc = undefined;

      assert.deepEqual(receiver.missing(lines + 100), [...lost].sort((a, b) => a - b), 'exactly the damaged records are missing');
      assert.equal(receiver.mismatched, 0);
      const reports = second.proc.stderr().split('\n').filter((l) => l.includes('corrupt record skipped')).map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(
        reports.map((r) => [r.segment, r.offset, r.reason]),
        [
          [last, flipped.offset, 'checksum mismatch'],
          [last, torn.offset, 'torn record'],
        ],
      );
    } finally {
      proc?.child.kill('SIGKILL');
      await receiver.close();
      dir.cleanup();
    }
  });

  test('when_full block, max_bytes 4000: the source is held back, /ready and /api/topology show the full buffer, nothing is lost', async () => {
    const dir = tempDir();
    const lines = 5000;
    const receiver = await startOffsetReceiver(lines, LINE_BYTES);
    let proc: Running | undefined;
    try {
      const logFile = join(dir.path, 'edge.log');
      writeFileSync(logFile, fixedWidthLines(lines, LINE_BYTES));
      const config = writeConfig(join(dir.path, 'edgetail.yaml'), { dataDir: join(dir.path, 'data'), logFile, receiver, api: true, buffer: '{ type: disk, max_bytes: 4000, when_full: block }' });
      receiver.hold(); // a healthy endpoint that does not answer yet: every event stays in the buffer
      const e = await startWithApi(config);
      proc = e.proc;
      const full = await waitFor(async () => {
        const s = sinkOut((await e.get('/api/topology')).body);
        return s.buffer.bytes >= 3600 && s.counters.received > s.buffer.events ? s : undefined;
      }, 'the buffer over 90% and a push waiting');
      assert.equal(full.buffer.type, 'disk');
      assert.equal(full.buffer.max_bytes, 4000);
      assert.equal(full.buffer.when_full, 'block');
      assert.equal(full.buffer.bytes, full.buffer.events * 8);
      assert.ok(full.buffer.bytes <= 4000, `${full.buffer.bytes} bytes held`);
      assert.ok(full.counters.received < lines, 'the source is held back');
      const ready = await e.get('/ready');
      assert.equal(ready.status, 503);
      assert.equal(ready.body.sinks.out.healthy, true, 'not ready because of the fill alone');
      assert.ok(ready.body.sinks.out.bufferFill >= 0.9);

      receiver.release();
      await waitFor(() => receiver.distinct === lines, 'every line delivered');
      await waitFor(async () => (await e.get('/ready')).status === 200, 'ready again once the buffer drained');
      const done = sinkOut((await e.get('/api/topology')).body);
      assert.equal(done.counters.dropped, 0);
      assert.equal((await e.metric('edgetail_component_discarded_events_total', 'component_id="out"')) ?? 0, 0);
      await stop(e.proc);
      proc = undefined;
      assert.deepEqual(receiver.missing(), []);
    } finally {
      proc?.child.kill('SIGKILL');
      await receiver.close();
      dir.cleanup();
    }
  });

  test('when_full drop_newest, max_bytes 4000: exactly the 4500 events that do not fit are dropped and counted', async () => {
    const dir = tempDir();
    const lines = 5000;
    const receiver = await startOffsetReceiver(lines, LINE_BYTES);
    let proc: Running | undefined;
    try {
      const logFile = join(dir.path, 'edge.log');
      writeFileSync(logFile, fixedWidthLines(lines, LINE_BYTES));
      const config = writeConfig(join(dir.path, 'edgetail.yaml'), { dataDir: join(dir.path, 'data'), logFile, receiver, api: true, buffer: '{ type: disk, max_bytes: 4000, when_full: drop_newest }' });
      receiver.hold(); // nothing is acknowledged until every line was offered to the sink
      const e = await startWithApi(config);
      proc = e.proc;
      const s = await waitFor(async () => {
        const o = sinkOut((await e.get('/api/topology')).body);
        return o.counters.received === lines ? o : undefined;
      }, 'every line offered to the sink');
      assert.equal(s.buffer.events, 500);
      assert.equal(s.counters.dropped, 4500);
      assert.equal(await e.metric('edgetail_component_discarded_events_total', 'reason="buffer_full"'), 4500);
      receiver.release();
      await waitFor(() => receiver.distinct === 500, 'the 500 kept events delivered');
      await stop(e.proc);
      proc = undefined;
      // drop_newest keeps the oldest: lines 0..499 arrived, 500..4999 did not.
      assert.deepEqual(receiver.missing(1), [500]);
      assert.equal(receiver.distinct, 500);
    } finally {
      proc?.child.kill('SIGKILL');
      await receiver.close();
      dir.cleanup();
    }
  });

  test('a full disk (data_dir on a 256 KiB tmpfs): the sink is not ready with ENOSPC, the source is held back, and once delivered nothing is lost', async (t) => {
    const fs = mountTmpfs(256 * 1024);
    if (typeof fs === 'string') return t.skip(fs);
    const dir = tempDir();
    const lines = 20_000;
    const receiver = await startOffsetReceiver(lines, LINE_BYTES);
    let proc: Running | undefined;
    try {
      const logFile = join(dir.path, 'edge.log');
      writeFileSync(logFile, fixedWidthLines(lines, LINE_BYTES));
      const config = writeConfig(join(dir.path, 'edgetail.yaml'), { dataDir: fs.path, logFile, receiver, api: true, buffer: '{ type: disk }' });
      receiver.hold();
      const e = await startWithApi(config);
      proc = e.proc;
      const ready = await waitFor(async () => {
        const r = await e.get('/ready');
        return r.body.sinks.out.healthy === false ? r : undefined;
      }, 'the sink reports the full disk');
      assert.equal(ready!.status, 503);
      assert.match(ready!.body.sinks.out.reason, /disk buffer write failed: ENOSPC/);
      assert.ok(sinkOut((await e.get('/api/topology')).body).counters.received < lines, 'the source is held back');

      receiver.release();
      await waitFor(() => receiver.distinct === lines, 'every line delivered after the space was freed', 60_000);
      await waitFor(async () => (await e.get('/ready')).status === 200, 'ready again');
      await stop(e.proc);
      proc = undefined;
      assert.deepEqual(receiver.missing(), []);
      assert.equal(receiver.mismatched, 0);
    } finally {
      proc?.child.kill('SIGKILL');
      await receiver.close();
      dir.cleanup();
      fs.unmount();
    }
  });
});
