/**
 * Property-based fuzzing of every parser (src/formats), through the same path the file source uses:
 * bytes → LineSplitter (chunked at random places) → Format.parse → toLogEvent → wire encoding.
 * Invariants: nothing throws; every non-empty input line yields exactly one event (parsed, or
 * `raw` + `parse_error`), except the CSV header row that gcs_usage/auto skip on purpose; the failure
 * count equals the number of parse_error events; parsed events carry no null/undefined field, no
 * own `__proto__`, a finite timestamp, and encode to valid JSON.
 * Bounded: a fixed number of runs per format; fast-check prints the seed and the shrunk input on failure.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineSplitter, LineBatch } from '../../src/sources/file/line-splitter.js';
import { FORMAT_NAMES, getFormat, ParseFailure, SKIP, toLogEvent, type FormatName } from '../../src/formats/index.js';
import { eventToJson } from '../../src/delivery/encoding.js';
import type { LogEvent } from '../../src/core/event.js';
import { concat, hostileFile, hostileLine } from './arbitraries.js';

const RUNS = Number(process.env.EDGETAIL_FUZZ_RUNS ?? 300);
const MAX_LINE = 1 << 20;

/** Independent oracle: the non-empty lines of `bytes` (split on \n, one trailing \r removed). */
function expectedLines(bytes: Uint8Array): number {
  let n = 0;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 10) continue;
    let end = i;
    if (end > start && bytes[end - 1] === 13) end--;
    if (end > start) n++;
    start = i + 1;
  }
  return n;
}

interface Outcome {
  lines: number;
  events: LogEvent[];
  failures: number;
  skipped: number;
}

/** The file source's path, minus the file: split (chunked at `cuts`), parse, make events. */
function run(format: FormatName, bytes: Uint8Array, cuts: number[], maxLine = MAX_LINE): Outcome {
  const f = getFormat(format);
  const splitter = new LineSplitter(maxLine);
  const batch = new LineBatch();
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const points = [...new Set(cuts.map((c) => (buf.length === 0 ? 0 : c % buf.length)))].sort((a, b) => a - b);
  let from = 0;
  for (const p of [...points, buf.length]) {
    if (p > from) splitter.push(buf.subarray(from, p), from, batch);
    from = Math.max(from, p);
  }
  splitter.flush(batch);
  const out: Outcome = { lines: batch.text.length, events: [], failures: 0, skipped: 0 };
  for (let i = 0; i < batch.text.length; i++) {
    const line = batch.text[i]!;
    const outcome = f.parse(line);
    if (outcome === SKIP) {
      out.skipped++;
      continue;
    }
    if (outcome instanceof ParseFailure) out.failures++;
    const ev = toLogEvent(outcome, line, 'fuzz', `fuzz:${batch.start[i]}`, 1_714_564_800_000, batch.bytes[i]!);
    assert.ok(ev !== null);
    out.events.push(ev);
  }
  return out;
}

function checkEvent(ev: LogEvent): void {
  assert.equal(ev.type, 'log');
  assert.ok(Number.isFinite(ev.timestamp), `timestamp ${ev.timestamp}`);
  const f = ev.fields;
  assert.ok(!Object.prototype.hasOwnProperty.call(f, '__proto__'), 'own __proto__ field');
  if (f.parse_error !== undefined) {
    assert.deepEqual(Object.keys(f), ['parse_error'], 'a failed line carries only parse_error');
    assert.equal(typeof f.parse_error, 'string');
    assert.ok((f.parse_error as string).length > 0 && (f.parse_error as string).length < 120);
    assert.equal(typeof ev.raw, 'string');
  }
  for (const k of Object.keys(f)) assert.ok(f[k] !== null && f[k] !== undefined, `field ${k} is null or undefined`);
  const wire = JSON.parse(eventToJson(ev)) as Record<string, unknown>;
  assert.equal(wire.event_id, ev.id);
}

function checkAll(format: FormatName, bytes: Uint8Array, cuts: number[]): void {
  const r = run(format, bytes, cuts);
  assert.equal(r.lines, expectedLines(bytes), 'line count');
  assert.equal(r.events.length + r.skipped, r.lines, 'one event per line');
  if (r.skipped > 0) assert.ok(format === 'gcs_usage' || format === 'auto', `${format} skipped a line`);
  let errors = 0;
  for (const ev of r.events) {
    checkEvent(ev);
    if (ev.fields.parse_error !== undefined) errors++;
  }
  assert.equal(errors, r.failures, 'parse_error events = parse failures counted');
}

describe('fuzz: every format', () => {
  for (const format of FORMAT_NAMES) {
    test(`${format}: hostile files never throw and yield one event per line`, () => {
      fc.assert(
        fc.property(hostileFile, ({ lines, crlf, finalNewline, cuts }) => {
          const sep = crlf ? [13, 10] : [10];
          const parts: Uint8Array[] = [];
          lines.forEach((l, i) => {
            parts.push(l);
            if (i < lines.length - 1 || finalNewline) parts.push(Uint8Array.from(sep));
          });
          checkAll(format, concat(...parts), cuts);
        }),
        { numRuns: RUNS },
      );
    });

    test(`${format}: single hostile lines straight into parse()`, () => {
      const f = getFormat(format);
      fc.assert(
        fc.property(hostileLine, fc.boolean(), (bytes, nul) => {
          let line = Buffer.from(bytes).toString('utf8');
          if (nul) line = `\0${line}\0`;
          const outcome = f.parse(line);
          if (outcome === SKIP) return;
          const ev = toLogEvent(outcome, line, 'fuzz', 'fuzz:0', 1_714_564_800_000, bytes.length);
          assert.ok(ev !== null);
          checkEvent(ev);
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('fuzz: pathological large lines', () => {
  const MB10 = 10 * 1024 * 1024;
  const big: Record<string, () => string> = {
    'JSON string value': () => `{"timestamp":"2024-05-01T12:00:00Z","url":"/${'a'.repeat(MB10)}","status":200}`,
    // 1M levels (2 MB) is far past JSON.stringify's recursion limit and keeps the run short.
    'deep JSON nesting': () => '{"a":' + '['.repeat(1 << 20) + ']'.repeat(1 << 20) + '}',
    'nested object shape, deep': () => '{"http":' + '{"a":'.repeat(200_000) + '1' + '}'.repeat(200_001),
    'quotes only': () => '"'.repeat(MB10),
    'doubled quotes CSV': () => '"' + '""'.repeat(MB10 / 2) + '",' + '"x",'.repeat(15) + '"y"',
    'access log with many quotes': () => `203.0.113.7 - - [01/May/2024:12:00:00 +0000] "GET /${'" '.repeat(MB10 / 2)} HTTP/1.1" 200 5`,
    'access log escapes': () => `203.0.113.7 - - [01/May/2024:12:00:00 +0000] "GET /${'\\xe9'.repeat(MB10 / 4)} HTTP/1.1" 200 5 "-" "ua"`,
    'syslog structured data': () => '<134>1 2016-09-20T19:21:00Z h a p m ' + '[x a="'.repeat(MB10 / 6),
    'NUL bytes': () => '\0'.repeat(MB10),
    'huge number': () => `{"status":1${'0'.repeat(MB10)},"resp_bytes":1e999999}`,
  };
  for (const [what, make] of Object.entries(big)) {
    test(`${what} (${(make().length / 1048576).toFixed(0)} MB): one event per format, nothing thrown`, () => {
      const line = make();
      for (const format of FORMAT_NAMES) {
        const outcome = getFormat(format).parse(line);
        assert.notEqual(outcome, SKIP, `${format} skipped it`);
        const ev = toLogEvent(outcome, line, 'fuzz', 'fuzz:0', 1_714_564_800_000, line.length);
        assert.ok(ev !== null);
        checkEvent(ev);
      }
    });
  }

  test('a 10 MB line through the splitter is truncated to max_line_bytes, on a character boundary, and still one event', () => {
    const line = Buffer.from('{"url":"' + '集'.repeat(MB10 / 3) + '"}\n' + '{"status":200}\n');
    for (const format of FORMAT_NAMES) {
      const r = run(format, line, [4096, 65536, 1 << 20], 1 << 20);
      assert.equal(r.lines, 2);
      assert.equal(r.events.length, 2);
      assert.ok(Buffer.byteLength(r.events[0]!.raw ?? JSON.stringify(r.events[0]!.fields)) <= (1 << 20) + 64);
      assert.ok(!(r.events[0]!.raw ?? '').includes('\uFFFD'), 'no split character');
      for (const ev of r.events) checkEvent(ev);
    }
  });
});
