import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { makeLogEvent, type Event } from '../../../../src/core/event.js';
import { compileKeyPrefix, groupByPrefix, objectName } from '../../../../sinks/aws_s3/key.js';

// 2024-05-01T23:59:59.500Z and the next day's first second.
const LATE = Date.UTC(2024, 4, 1, 23, 59, 59, 500);
const NEXT = Date.UTC(2024, 4, 2, 0, 0, 0, 0);

function ev(ts: number, i: number): Event {
  return makeLogEvent('edge', `e${i}`, ts, { i }, `line ${i}`, 6);
}

describe('aws_s3 key rendering', () => {
  test('the default prefix renders the UTC date of the event', () => {
    const r = compileKeyPrefix('date=%F/');
    assert.equal(r(LATE), 'date=2024-05-01/');
    assert.equal(r(NEXT), 'date=2024-05-02/');
  });

  test('several specifiers, literal text kept, hours in UTC', () => {
    const r = compileKeyPrefix('logs/cdn/%Y/%m/%d/%H/');
    assert.equal(r(Date.UTC(2023, 0, 9, 7, 5, 3)), 'logs/cdn/2023/01/09/07/');
  });

  test('a prefix without specifiers is constant; an empty prefix is allowed', () => {
    assert.equal(compileKeyPrefix('archive/')(LATE), 'archive/');
    assert.equal(compileKeyPrefix('')(LATE), '');
  });

  test('a timestamp that is not a date renders from now', () => {
    const r = compileKeyPrefix('date=%F/', () => Date.UTC(2025, 11, 31, 10, 0, 0));
    assert.equal(r(NaN), 'date=2025-12-31/');
  });

  test('object names: unix seconds, uuid, .log or .log.gz', () => {
    assert.equal(objectName(1714607999500, true, '0f8c2a1e-1111-4222-8333-444455556666'), '1714607999-0f8c2a1e-1111-4222-8333-444455556666.log.gz');
    assert.equal(objectName(1714607999500, false, 'u'), '1714607999-u.log');
    assert.match(objectName(0, true), /^0-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.log\.gz$/);
  });

  test('a batch across midnight splits into one group per prefix, order kept', () => {
    const evs = [ev(LATE, 0), ev(NEXT, 1), ev(LATE, 2), ev(NEXT + 1000, 3)];
    const groups = groupByPrefix(evs, compileKeyPrefix('date=%F/'));
    assert.deepEqual([...groups.keys()], ['date=2024-05-01/', 'date=2024-05-02/']);
    assert.deepEqual(groups.get('date=2024-05-01/')!.map((e) => e.id), ['e0', 'e2']);
    assert.deepEqual(groups.get('date=2024-05-02/')!.map((e) => e.id), ['e1', 'e3']);
  });
});
