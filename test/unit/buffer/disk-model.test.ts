import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { makeLogEvent } from '../../../src/core/event.js';
import { DiskBuffer, type Chunk } from '../../../src/buffer/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { tempDir } from '../../helpers/context.js';

type Op = { op: 'push'; n: number } | { op: 'take'; n: number } | { op: 'ack'; pick: number } | { op: 'reopen' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('push' as const), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ op: fc.constant('take' as const), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('ack' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('reopen' as const) }),
);

test('model: after any sequence of pushes, takes, out-of-order acks and restarts, nothing unacknowledged is missing', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { maxLength: 40 }), fc.boolean(), async (ops, cache) => {
      const t = tempDir('edgetail-disk-model-');
      const dir = join(t.path, 'buf');
      const openBuf = () => new DiskBuffer({ dir, logger: silentLogger(), segmentMaxBytes: 400, cacheBytes: cache ? 1 << 20 : 0 });
      let b = openBuf();
      const pushed: string[] = [];
      const acked = new Set<string>();
      let outstanding: Chunk[] = [];
      let next = 0;
      try {
        for (const o of ops) {
          if (o.op === 'push') {
            const ids = Array.from({ length: o.n }, () => `e${next++}`);
            await b.push(ids.map((id) => makeLogEvent('s', id, 0, {}, id, 10)));
            pushed.push(...ids);
          } else if (o.op === 'take') {
            const c = b.take(o.n, 1 << 20);
            if (c) outstanding.push(c);
          } else if (o.op === 'ack') {
            if (outstanding.length === 0) continue;
            const [c] = outstanding.splice(o.pick % outstanding.length, 1);
            for (const e of c!.events) acked.add(e.id);
            b.ack(c!);
          } else {
            await b.close();
            outstanding = [];
            b = openBuf();
          }
        }
        await b.close();
        b = openBuf();
        const present: string[] = [];
        for (let c = b.take(1000, 1 << 30); c !== null; c = b.take(1000, 1 << 30)) present.push(...c.events.map((e) => e.id));
        await b.close();
        const num = (id: string) => Number(id.slice(1));
        assert.deepEqual(present, [...present].sort((x, y) => num(x) - num(y)), 'oldest first');
        assert.equal(new Set(present).size, present.length, 'no event twice within one run');
        const expected = pushed.filter((id) => !acked.has(id));
        assert.deepEqual(expected.filter((id) => !present.includes(id)), [], 'unacknowledged events are all there');
        assert.deepEqual(present.filter((id) => !pushed.includes(id)), []);
        assert.equal(b.corruptRecords, 0);
      } finally {
        t.cleanup();
      }
    }),
    { numRuns: 60 },
  );
});
