import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, readlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { makeLogEvent, type Event } from '../../../../src/core/event.js';
import type { SinkDriver } from '../../../../src/delivery/types.js';
import { fileSinkSchema } from '../../../../sinks/file/config.js';
import { fileSink } from '../../../../sinks/file/index.js';
import type { FilePayload } from '../../../../sinks/file/sink.js';
import { tempDir, testContext, waitFor } from '../../../helpers/context.js';

const tmp = tempDir('edgetail-file-sink-');
after(() => tmp.cleanup());
let n = 0;
const dir = (): string => join(tmp.path, `case-${n++}`);

function ev(i: number, ts: number, fields: Record<string, unknown>): Event {
  const raw = `raw line ${i}`;
  return makeLogEvent('edge', `edge:a.log:${i}`, ts, fields, raw, raw.length);
}

async function build(extra: Record<string, unknown>): Promise<SinkDriver<FilePayload>> {
  const cfg = fileSinkSchema.parse({ type: 'file', inputs: ['edge'], ...extra });
  return (await fileSink.build(cfg, testContext('files', 'file'))) as SinkDriver<FilePayload>;
}

async function deliver(d: SinkDriver<FilePayload>, evs: Event[]): Promise<void> {
  assert.deepEqual(await d.send(await d.encode(evs), AbortSignal.timeout(30_000)), { kind: 'ok' });
}

const day1 = Date.UTC(2024, 4, 1, 10, 0, 0);
const day2 = Date.UTC(2024, 4, 2, 10, 0, 0);

describe('file sink', () => {
  test('is serial', async () => {
    const d = await build({ path: join(dir(), 'x.log') });
    assert.equal(d.serial, true);
    await d.close?.();
  });

  test('groups a batch by rendered path, creating directories, appending across batches', async () => {
    const root = dir();
    const d = await build({ path: join(root, '%Y-%m-%d', '{{ pop }}.log') });
    const batch = [ev(0, day1, { pop: 'IAD' }), ev(1, day1, { pop: 'FRA' }), ev(2, day2, { pop: 'IAD' }), ev(3, day1, { pop: 'IAD' })];
    const p = await d.encode(batch);
    assert.deepEqual(p.groups.map((g) => [g.path.slice(root.length), g.events]), [['/2024-05-01/IAD.log', 2], ['/2024-05-01/FRA.log', 1], ['/2024-05-02/IAD.log', 1]]);
    assert.deepEqual(await d.send(p, AbortSignal.timeout(30_000)), { kind: 'ok' });
    await deliver(d, [ev(4, day1, { pop: 'IAD' })]);
    await d.close?.();
    assert.deepEqual(readdirSync(root).sort(), ['2024-05-01', '2024-05-02']);
    assert.equal(
      readFileSync(join(root, '2024-05-01', 'IAD.log'), 'utf8'),
      '{"timestamp":"2024-05-01T10:00:00.000Z","pop":"IAD","event_id":"edge:a.log:0"}\n' +
        '{"timestamp":"2024-05-01T10:00:00.000Z","pop":"IAD","event_id":"edge:a.log:3"}\n' +
        '{"timestamp":"2024-05-01T10:00:00.000Z","pop":"IAD","event_id":"edge:a.log:4"}\n',
    );
    assert.equal(readFileSync(join(root, '2024-05-01', 'FRA.log'), 'utf8'), '{"timestamp":"2024-05-01T10:00:00.000Z","pop":"FRA","event_id":"edge:a.log:1"}\n');
    assert.equal(readFileSync(join(root, '2024-05-02', 'IAD.log'), 'utf8'), '{"timestamp":"2024-05-02T10:00:00.000Z","pop":"IAD","event_id":"edge:a.log:2"}\n');
  });

  test('raw codec writes the original lines', async () => {
    const path = join(dir(), 'raw.log');
    const d = await build({ path, encoding: { codec: 'raw' }, fsync: true });
    await deliver(d, [ev(0, day1, {}), ev(1, day1, {})]);
    await d.close?.();
    assert.equal(readFileSync(path, 'utf8'), 'raw line 0\nraw line 1\n');
  });

  test('gzip appends one member per batch; the file decodes to all input lines', async () => {
    const path = join(dir(), 'out.log.gz');
    const d = await build({ path, compression: 'gzip', encoding: { codec: 'raw' } });
    await deliver(d, [ev(0, day1, {}), ev(1, day1, {})]);
    await deliver(d, [ev(2, day1, {})]);
    await d.close?.();
    const bytes = readFileSync(path);
    // Two members: two gzip headers (1f 8b 08) in the file.
    let members = 0;
    for (let i = 0; i + 2 < bytes.length; i++) if (bytes[i] === 0x1f && bytes[i + 1] === 0x8b && bytes[i + 2] === 8) members++;
    assert.equal(members, 2);
    assert.equal(gunzipSync(bytes).toString(), 'raw line 0\nraw line 1\nraw line 2\n');
  });

  test('keeps at most max_open_files open and still writes everything', async () => {
    const root = dir();
    const d = await build({ path: join(root, '{{ k }}.log'), max_open_files: 2 });
    for (let round = 0; round < 3; round++) {
      await deliver(d, ['a', 'b', 'c', 'd'].map((k, i) => ev(round * 4 + i, day1, { k })));
    }
    await d.close?.();
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) {
      const lines = readFileSync(join(root, `${k}.log`), 'utf8').trim().split('\n').map((l) => JSON.parse(l).event_id);
      assert.deepEqual(lines, [0, 1, 2].map((r) => `edge:a.log:${r * 4 + i}`));
    }
  });

  test('an unusable path is permanent, the other files still get their events, a resend writes nothing twice', async () => {
    const root = dir();
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'blocker'), 'not a directory');
    const d = await build({ path: join(root, '{{ sub }}', 'x.log') });
    const p = await d.encode([ev(0, day1, { sub: 'ok' }), ev(1, day1, { sub: 'blocker' }), ev(2, day1, { sub: 'ok2' })]);
    const r = await d.send(p, AbortSignal.timeout(30_000));
    assert.equal(r.kind, 'permanent');
    assert.match(r.kind === 'permanent' ? r.reason : '', /cannot write .*blocker\/x\.log: (ENOTDIR|EEXIST)/);
    assert.equal(p.done, 3);
    assert.deepEqual(await d.send(p, AbortSignal.timeout(30_000)), { kind: 'ok' });
    await d.close?.();
    assert.equal(readFileSync(join(root, 'ok', 'x.log'), 'utf8').split('\n').length, 2);
    assert.equal(readFileSync(join(root, 'ok2', 'x.log'), 'utf8').split('\n').length, 2);
  });

  test('closes files idle for idle_timeout_secs', { skip: !existsSync('/proc/self/fd') }, async () => {
    const path = join(dir(), 'idle.log');
    const d = await build({ path, idle_timeout_secs: 0.2 });
    const openOnPath = (): number => readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`) === path; } catch { return false; } }).length;
    await deliver(d, [ev(0, day1, {})]);
    assert.equal(openOnPath(), 1);
    await waitFor(() => openOnPath() === 0, 'the idle file to be closed');
    await deliver(d, [ev(1, day1, {})]);
    await d.close?.();
    assert.equal(openOnPath(), 0);
    assert.equal(readFileSync(path, 'utf8').split('\n').length, 3);
  });

  test('config: json codec is refused; defaults', () => {
    assert.equal(fileSinkSchema.safeParse({ type: 'file', inputs: ['x'], path: 'a', encoding: { codec: 'json' } }).success, false);
    const c = fileSinkSchema.parse({ type: 'file', inputs: ['x'], path: 'a' });
    assert.equal(c.fsync, false);
    assert.equal(c.encoding.codec, 'ndjson');
    assert.equal(c.idle_timeout_secs, 30);
  });
});
