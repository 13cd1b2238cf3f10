import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMAT_NAMES, getFormat, toLogEvent } from '../../../src/formats/index.js';
import type { FormatName } from '../../../src/formats/types.js';

test('every format name is registered under its own name', () => {
  for (const name of FORMAT_NAMES) assert.equal(getFormat(name).name, name);
});

test('an unknown name throws a clear error (config validation catches it first)', () => {
  assert.throws(() => getFormat('nope' as FormatName), /format nope is not available/);
});

test('a parsed line becomes a LogEvent with the line as raw', () => {
  const line = '203.0.113.7 - - [01/May/2024:12:00:00 +0000] "GET /x HTTP/1.1" 200 5';
  const ev = toLogEvent(getFormat('combined').parse(line), line, 'edge', 'edge:0', 1, line.length);
  assert.equal(ev?.timestamp, Date.UTC(2024, 4, 1, 12));
  assert.equal(ev?.fields.status, 200);
  const bad = toLogEvent(getFormat('combined').parse('x'), 'x', 'edge', 'edge:1', 7, 1);
  assert.deepEqual(bad?.fields, { parse_error: 'missing client address' });
  assert.equal(bad?.timestamp, 7);
});
