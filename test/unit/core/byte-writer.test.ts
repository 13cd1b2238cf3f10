import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteWriter } from '../../../src/core/byte-writer.js';

test('ByteWriter: any mix of strings and numbers, starting from a tiny buffer, reads back exactly (property)', () => {
  const item = fc.oneof(
    fc.record({ k: fc.constant('write' as const), v: fc.string({ unit: 'grapheme', maxLength: 700 }) }),
    fc.record({ k: fc.constant('str' as const), v: fc.option(fc.string({ unit: 'grapheme', maxLength: 700 }), { nil: undefined }) }),
    fc.record({ k: fc.constant('u32' as const), v: fc.nat() }),
    fc.record({ k: fc.constant('f64' as const), v: fc.double() }),
  );
  fc.assert(
    fc.property(fc.array(item, { maxLength: 40 }), fc.nat(64), (items, skip) => {
      const w = new ByteWriter(1, skip);
      const expect: Buffer[] = [Buffer.alloc(0)];
      for (const it of items) {
        if (it.k === 'write') {
          w.write(it.v);
          expect.push(Buffer.from(it.v));
        } else if (it.k === 'str') {
          w.str(it.v);
          const b = it.v === undefined ? Buffer.alloc(0) : Buffer.from(it.v);
          const len = Buffer.alloc(4);
          len.writeUInt32LE(it.v === undefined ? 0xffffffff : b.length);
          expect.push(len, b);
        } else if (it.k === 'u32') {
          w.u32(it.v);
          const b = Buffer.alloc(4);
          b.writeUInt32LE(it.v);
          expect.push(b);
        } else {
          w.f64(it.v);
          const b = Buffer.alloc(8);
          b.writeDoubleLE(it.v);
          expect.push(b);
        }
      }
      const out = w.finish();
      assert.equal(out.length, w.length);
      assert.deepEqual(out.subarray(skip), Buffer.concat(expect));
    }),
    { numRuns: 300 },
  );
});
