/**
 * Acceptance (issue "Foundation"): every sample file goes through the real pipeline — file source →
 * parse → file sink (ndjson) — and every output line is checked against the hand-written expectations
 * of test/fixtures/samples/expected.ts: the whole wire object `{timestamp, ...fields, event_id}`.
 *
 * One instance runs, in-process:
 *   - one `file` source per sample (its own format) → one `file` sink each;
 *   - one `file` source with `format: auto` over all the copies → one sink;
 *   - the gcs source → `ip_match` (shipped Fastly ranges) → one more sink (via_cdn).
 * A malformed line is appended to the combined.log copy: it must arrive as
 * `{timestamp, raw, parse_error, event_id}` and be counted as a parse_failed error.
 * The same config runs a second time on the same files with a fresh data_dir: event ids must repeat.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { parseConfigText } from '../../src/config/load.js';
import { startInstance } from '../../src/cli/instance.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import type { Telemetry } from '../../src/telemetry/metrics.js';
import { repoRoot } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { COMBINED, GCS_USAGE, SAMPLES, type SampleFile } from '../fixtures/samples/expected.js';

type Wire = Record<string, unknown>;

const SAMPLE_DIR = join(repoRoot(), 'test', 'fixtures', 'samples');
const BAD_LINE = 'this is not a log line';
// The reasons the parsers give for BAD_LINE (test/unit/formats/combined.test.ts and auto.test.ts).
const BAD_REASON_COMBINED = 'missing [timestamp]';
const BAD_REASON_AUTO = 'unrecognized line (combined: missing [timestamp])';
// By hand: of the gcs sample's clients only 151.101.10.5 is in Fastly's 151.101.0.0/16.
const GCS_VIA_CDN = [false, true, false, false];

/** Component id of a sample's source (and of its sink, prefixed `out_`). */
const idOf = (s: SampleFile): string => s.file.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9]+/g, '_');

/** The wire object a record must become, without event_id. */
const wireOf = (r: SampleFile['records'][number], extra: Wire = {}): Wire => ({ timestamp: new Date(r.ts).toISOString(), ...r.fields, ...extra });

function configText(inDir: string, outDir: string, dataDir: string): string {
  const sources: Record<string, unknown> = {};
  const sinks: Record<string, unknown> = {};
  const sinkCommon = { type: 'file', encoding: { codec: 'ndjson' }, batch: { timeout_secs: 0.05 } };
  for (const s of SAMPLES) {
    const id = idOf(s);
    sources[id] = { type: 'file', include: [join(inDir, s.file)], format: s.format, glob_interval_ms: 100 };
    sinks[`out_${id}`] = { ...sinkCommon, inputs: [id], path: join(outDir, `${id}.ndjson`) };
  }
  sources.all = { type: 'file', include: [join(inDir, '*')], format: 'auto', glob_interval_ms: 100 };
  sinks.out_all = { ...sinkCommon, inputs: ['all'], path: join(outDir, 'all.ndjson') };
  sinks.out_cdn = { ...sinkCommon, inputs: ['cdn'], path: join(outDir, 'cdn.ndjson') };
  return stringify({
    data_dir: dataDir,
    api: { enabled: false },
    sources,
    transforms: { cdn: { type: 'ip_match', inputs: [idOf(GCS_USAGE)] } },
    sinks,
  });
}

/** Complete (newline-terminated) lines of an output file; none if it does not exist yet. */
function outputLines(file: string): string[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop(); // the part after the last "\n": empty, or a line still being written
  return lines;
}

async function parseFailures(telemetry: Telemetry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await telemetry.errors.get()).values) {
    if (v.labels.error_type === 'parse_failed' && v.value > 0) out[`${v.labels.component_id}/${v.labels.stage}`] = v.value;
  }
  return out;
}

interface RunResult {
  /** Wire objects per sink id. */
  outputs: Record<string, Wire[]>;
  failures: Record<string, number>;
  startedAt: number;
  stoppedAt: number;
}

/** One run of the whole config until every sink has `want[sink]` lines, then a graceful stop. */
async function runOnce(inDir: string, root: string, run: string, want: Record<string, number>): Promise<RunResult> {
  const outDir = join(root, `out-${run}`);
  const startedAt = Date.now();
  const inst = await startInstance(parseConfigText(configText(inDir, outDir, join(root, `data-${run}`)), 'samples'), silentLogger());
  let failures: Record<string, number>;
  try {
    await waitFor(
      () => Object.entries(want).every(([sink, n]) => outputLines(join(outDir, `${sink.slice('out_'.length)}.ndjson`)).length >= n),
      `every expected line in the outputs (run ${run})`,
    );
    failures = await parseFailures(inst.telemetry);
  } finally {
    await inst.stop(5000);
  }
  const stoppedAt = Date.now();
  const outputs: Record<string, Wire[]> = {};
  for (const sink of Object.keys(want)) {
    outputs[sink] = outputLines(join(outDir, `${sink.slice('out_'.length)}.ndjson`)).map((l) => JSON.parse(l) as Wire);
  }
  return { outputs, failures, startedAt, stoppedAt };
}

/** Splits off event_id (checked to be a non-empty string) and returns it. */
function takeId(w: Wire, where: string): { id: string; rest: Wire } {
  const { event_id: id, ...rest } = w;
  assert.equal(typeof id, 'string', `${where}: event_id is not a string`);
  assert.ok((id as string).length > 0, `${where}: event_id is empty`);
  return { id: id as string, rest };
}

/** Checks a malformed-line wire object: arrival-time timestamp, raw, parse_error, nothing else. */
function assertBadLine(w: Wire, reason: string, run: RunResult, where: string): void {
  assert.deepEqual(Object.keys(w).sort(), ['event_id', 'parse_error', 'raw', 'timestamp'], where);
  assert.equal(w.raw, BAD_LINE, where);
  assert.equal(w.parse_error, reason, where);
  assert.equal(typeof w.timestamp, 'string', where);
  const t = Date.parse(w.timestamp as string);
  assert.equal(new Date(t).toISOString(), w.timestamp, `${where}: timestamp is not ISO-8601 UTC`);
  // No timestamp in the line: the event gets its arrival time, within this run (ms resolution).
  assert.ok(t >= run.startedAt && t <= run.stoppedAt, `${where}: timestamp ${w.timestamp as string} outside the run`);
}

/** Checks one run's outputs against the expectations; returns every event id per sink. */
function checkRun(run: RunResult): Record<string, string[]> {
  const ids: Record<string, string[]> = {};

  // One source per sample, in its own format: line i is record i, exactly (plus the bad line at the end of combined).
  for (const s of SAMPLES) {
    const sink = `out_${idOf(s)}`;
    const got = run.outputs[sink]!;
    const bad = s === COMBINED ? 1 : 0;
    assert.equal(got.length, s.records.length + bad, `${sink}: line count`);
    ids[sink] = [];
    s.records.forEach((r, i) => {
      const { id, rest } = takeId(got[i]!, `${s.file} line ${i + 1}`);
      assert.deepEqual(rest, wireOf(r), `${s.file} record ${i + 1}`);
      ids[sink]!.push(id);
    });
    if (bad) {
      const w = got[s.records.length]!;
      assertBadLine(w, BAD_REASON_COMBINED, run, `${s.file} malformed line`);
      ids[sink]!.push(takeId(w, `${s.file} malformed line`).id);
    }
  }

  // All copies through one `auto` source: files are read in any order, so every output line must
  // match one still-unmatched expectation, and every expectation must be matched once.
  const all = run.outputs.out_all!;
  const pending = SAMPLES.flatMap((s) => s.records.map((r, i) => ({ where: `${s.file} record ${i + 1}`, wire: wireOf(r) })));
  assert.equal(all.length, pending.length + 1, 'out_all: line count');
  ids.out_all = [];
  let badSeen = 0;
  for (const w of all) {
    const { id, rest } = takeId(w, 'out_all');
    ids.out_all.push(id);
    if (rest.parse_error !== undefined) {
      assertBadLine(w, BAD_REASON_AUTO, run, 'auto: malformed line');
      badSeen++;
      continue;
    }
    const k = pending.findIndex((p) => isDeepStrictEqual(p.wire, rest));
    assert.ok(k >= 0, `auto: line matches no (remaining) expectation: ${JSON.stringify(rest)}`);
    pending.splice(k, 1);
  }
  assert.equal(badSeen, 1, 'auto: the malformed line arrives once');
  assert.deepEqual(pending.map((p) => p.where), [], 'auto: expectations never seen');

  // gcs → ip_match (shipped Fastly ranges): the same events with via_cdn; the plain gcs sink above
  // saw no via_cdn (the transform's change does not leak into the other branch of the fan-out).
  const cdn = run.outputs.out_cdn!;
  assert.equal(cdn.length, GCS_USAGE.records.length, 'out_cdn: line count');
  ids.out_cdn = [];
  GCS_USAGE.records.forEach((r, i) => {
    const { id, rest } = takeId(cdn[i]!, `cdn line ${i + 1}`);
    assert.deepEqual(rest, wireOf(r, { via_cdn: GCS_VIA_CDN[i] }), `ip_match record ${i + 1}`);
    ids.out_cdn!.push(id);
  });
  assert.deepEqual(ids.out_cdn, ids[`out_${idOf(GCS_USAGE)}`], 'ip_match keeps the event ids of its input');

  // Unique across all outputs of distinct events (out_cdn repeats the gcs events on purpose).
  const distinct = Object.entries(ids).filter(([sink]) => sink !== 'out_cdn').flatMap(([, v]) => v);
  assert.equal(new Set(distinct).size, distinct.length, 'event ids are unique');

  // Malformed lines are counted by the sources that read them, and only there.
  assert.deepEqual(run.failures, { [`${idOf(COMBINED)}/processing`]: 1, 'all/processing': 1 });
  return ids;
}

test('every sample file through file source → parse → file sink, every canonical field checked', { timeout: 120_000 }, async () => {
  const dir = tempDir('edgetail-samples-');
  try {
    const inDir = join(dir.path, 'in');
    mkdirSync(inDir);
    for (const s of SAMPLES) copyFileSync(join(SAMPLE_DIR, s.file), join(inDir, s.file));
    appendFileSync(join(inDir, COMBINED.file), BAD_LINE + '\n');

    const want: Record<string, number> = {};
    for (const s of SAMPLES) want[`out_${idOf(s)}`] = s.records.length + (s === COMBINED ? 1 : 0);
    want.out_all = SAMPLES.reduce((n, s) => n + s.records.length, 0) + 1;
    want.out_cdn = GCS_USAGE.records.length;

    const first = checkRun(await runOnce(inDir, dir.path, '1', want));
    // Same files, fresh data_dir (no checkpoints): the same events get the same ids.
    const second = checkRun(await runOnce(inDir, dir.path, '2', want));
    assert.deepEqual(second, first, 'event ids are stable across runs');
  } finally {
    dir.cleanup();
  }
});
