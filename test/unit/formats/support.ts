/** Shared helpers for the format tests: sample files, outcome unwrapping, and the contract check. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/cli.js';
import { ParseFailure, SKIP, type ParseOutcome, type Parsed } from '../../../src/formats/types.js';
import type { SampleFile } from '../../fixtures/samples/expected.js';

// Resolved from the repo root so the tests find the fixtures from dist/test/ too.
const SAMPLES = join(repoRoot(), 'test', 'fixtures', 'samples') + '/';

/** The lines of a sample file (without the final empty line). */
export function sampleLines(file: string): string[] {
  const lines = readFileSync(SAMPLES + file, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function parsed(outcome: ParseOutcome): Parsed {
  assert.ok(outcome !== SKIP, 'expected a record, got SKIP');
  assert.ok(!(outcome instanceof ParseFailure), `expected a record, got ParseFailure(${(outcome as ParseFailure).reason})`);
  return outcome;
}

export function failure(outcome: ParseOutcome): string {
  assert.ok(outcome instanceof ParseFailure, `expected a ParseFailure, got ${outcome === SKIP ? 'SKIP' : JSON.stringify(outcome)}`);
  assert.equal(typeof outcome.reason, 'string');
  assert.ok(outcome.reason.length > 0 && outcome.reason.length < 120, `reason should be short: ${outcome.reason}`);
  return outcome.reason;
}

const NUMBERS = ['status', 'req_bytes', 'resp_bytes', 'resp_body_bytes', 'elapsed_us', 'asn'];
const TEXTS = ['client_ip', 'geo_country', 'geo_region', 'host', 'method', 'url', 'path', 'query', 'protocol',
  'tls_version', 'cache_state', 'pop', 'node', 'user_agent', 'referer', 'service_id', 'request_id', 'bucket', 'object', 'operation'];

/**
 * The parser contract, checked on any outcome: exactly one of SKIP / ParseFailure / Parsed; a Parsed
 * has a numeric timestamp (NaN allowed), no `timestamp` field, no null/undefined values, a valid
 * `layer`, and canonical fields of their canonical types.
 */
export function assertContract(outcome: ParseOutcome): void {
  if (outcome === SKIP) return;
  if (outcome instanceof ParseFailure) {
    assert.equal(typeof outcome.reason, 'string');
    assert.ok(outcome.reason.length > 0);
    return;
  }
  assert.equal(typeof outcome.timestamp, 'number');
  const f = outcome.fields;
  assert.equal(Object.getPrototypeOf(f), Object.prototype);
  assert.ok(!Object.hasOwn(f, 'timestamp'), 'timestamp must not be a field');
  assert.ok(f.layer === 'edge' || f.layer === 'origin', 'layer is not edge|origin');
  for (const [k, v] of Object.entries(f)) assert.ok(v !== null && v !== undefined, `${k} is null or undefined`);
  for (const k of NUMBERS) if (k in f) assert.ok(typeof f[k] === 'number' && Number.isFinite(f[k]), `${k} is not a finite number`);
  for (const k of TEXTS) if (k in f) assert.equal(typeof f[k], 'string', k);
  if ('is_edge' in f) assert.equal(typeof f.is_edge, 'boolean');
}

/** A fast-check-free mutation list: truncations of `line` at every 7th position (cheap and thorough). */
export function truncations(line: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < line.length; i += 7) out.push(line.slice(0, i));
  return out;
}

/**
 * One test per line of a sample file: `parse` must give exactly the hand-written timestamp and
 * fields of test/fixtures/samples/expected.ts (a header row, where the sample has one, is SKIP).
 */
export function describeSample(title: string, sample: SampleFile, parse: (line: string) => ParseOutcome): void {
  describe(title, () => {
    const lines = sampleLines(sample.file);
    const first = sample.header ? 1 : 0;
    if (sample.header) test('the header row is skipped', () => assert.equal(parse(lines[0]!), SKIP));
    test('has as many lines as expectations', () => assert.equal(lines.length, sample.records.length + first));
    sample.records.forEach((e, i) => {
      test(`${sample.header ? 'record' : 'line'} ${i + 1}`, () => {
        const p = parsed(parse(lines[i + first]!));
        assert.equal(p.timestamp, e.ts);
        assert.deepEqual(p.fields, e.fields);
      });
    });
  });
}
