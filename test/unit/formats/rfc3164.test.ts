/** RFC 3164 (BSD syslog) timestamps in the fastly_syslog parser. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBsdSyslog } from '../../../src/formats/time.js';
import { parseFastlySyslog } from '../../../src/formats/fastly_syslog.js';
import type { Parsed } from '../../../src/formats/types.js';

const NOW = Date.UTC(2024, 0, 3, 12, 0, 0); // 3 Jan 2024

test('BSD timestamp: space- or zero-padded day, the year nearest to now, UTC', () => {
  assert.equal(parseBsdSyslog('Jan  2 22:14:15', NOW), Date.UTC(2024, 0, 2, 22, 14, 15));
  assert.equal(parseBsdSyslog('Jan 02 22:14:15', NOW), Date.UTC(2024, 0, 2, 22, 14, 15));
  assert.equal(parseBsdSyslog('Dec 31 23:59:59', NOW), Date.UTC(2023, 11, 31, 23, 59, 59)); // last year
  assert.equal(parseBsdSyslog('Feb 29 00:00:00', NOW), Date.UTC(2024, 1, 29)); // 2024 is a leap year
  assert.ok(Number.isNaN(parseBsdSyslog('Foo  2 22:14:15', NOW)));
  assert.ok(Number.isNaN(parseBsdSyslog('Jan 32 22:14:15', NOW)));
  assert.ok(Number.isNaN(parseBsdSyslog('Jan  2 22:14', NOW)));
});

test('fastly_syslog reads an RFC 3164 line (the RFC\'s own example)', () => {
  const r = parseFastlySyslog("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8") as Parsed;
  assert.equal(r.fields.message, "'su root' failed for lonvick on /dev/pts/8");
  assert.equal(r.fields.node, 'mymachine');
  const d = new Date(r.timestamp);
  assert.deepEqual([d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()], [9, 11, 22, 14, 15]);
  assert.ok(Math.abs(r.timestamp - Date.now()) < 183 * 86400_000, 'the nearest year');
});

test('fastly_syslog: a 3164 line with a broken timestamp is a parse failure', () => {
  const r = parseFastlySyslog('<34>Oct 41 22:14:15 mymachine su: x');
  assert.equal((r as { reason: string }).reason, 'invalid syslog timestamp');
});
