import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { makeLogEvent } from '../../../../src/core/event.js';
import { consoleSinkSchema } from '../../../../sinks/console/config.js';
import { buildConsoleDriver } from '../../../../sinks/console/sink.js';

const evs = [makeLogEvent('s', 's:1', Date.UTC(2024, 0, 1), { status: 200 }, 'GET / 200', 9)];

function capture(fail?: NodeJS.ErrnoException): { stream: Writable; out: string[] } {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (fail) return cb(fail);
      out.push(chunk.toString());
      cb();
    },
  });
  return { stream, out };
}

test('writes ndjson by default, raw lines on request; serial', async () => {
  const { stream, out } = capture();
  const d = buildConsoleDriver(consoleSinkSchema.parse({ type: 'console', inputs: ['x'] }), stream);
  assert.equal(d.serial, true);
  assert.deepEqual(await d.send(await d.encode(evs), AbortSignal.timeout(30_000)), { kind: 'ok' });
  const r = buildConsoleDriver(consoleSinkSchema.parse({ type: 'console', inputs: ['x'], encoding: { codec: 'raw' } }), stream);
  await r.send(await r.encode(evs), AbortSignal.timeout(30_000));
  assert.deepEqual(out, ['{"timestamp":"2024-01-01T00:00:00.000Z","status":200,"event_id":"s:1"}\n', 'GET / 200\n']);
  await d.close?.();
  await r.close?.();
});

test('a closed stream (EPIPE) is permanent', async () => {
  const { stream } = capture(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  const d = buildConsoleDriver(consoleSinkSchema.parse({ type: 'console', inputs: ['x'], target: 'stderr' }), stream);
  assert.deepEqual(await d.send('x\n', AbortSignal.timeout(30_000)), { kind: 'permanent', reason: 'stderr closed: EPIPE' });
  await d.close?.();
});

test('config: gzip and json codec refused', () => {
  assert.equal(consoleSinkSchema.safeParse({ type: 'console', inputs: ['x'], compression: 'gzip' }).success, false);
  assert.equal(consoleSinkSchema.safeParse({ type: 'console', inputs: ['x'], encoding: { codec: 'json' } }).success, false);
  assert.equal(consoleSinkSchema.parse({ type: 'console', inputs: ['x'] }).target, 'stdout');
});
