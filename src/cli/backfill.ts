/**
 * `edgetail backfill`: pushes archived log files (or a sink's dead letters) through the configured
 * pipeline once and exits 0 only when every sink acknowledged every event (docs/backfill.md).
 * Exit codes: 0 all delivered; 1 incomplete (dead-lettered, dropped, unacknowledged, unreadable
 * files, interrupted); 66 an input path does not exist; 78 the config is invalid.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Logger } from '../core/component.js';
import { errorMessage } from '../core/errors.js';
import { loadConfigFiles } from '../config/load.js';
import { validateConfig, type ValidatedConfig } from '../config/validate.js';
import { deadLetterDir } from '../delivery/dead-letter.js';
import { Telemetry } from '../telemetry/metrics.js';
import { Topology } from '../topology/topology.js';
import { archivePlan, deadLetterPlan, PlanError } from './backfill/plan.js';
import { startProgress } from './backfill/progress.js';
import { Tally } from './backfill/tally.js';
import { EX_CONFIG, formatProblems } from './validate.js';

export const EX_INCOMPLETE = 1;
export const EX_NOINPUT = 66;
/** setTimeout's largest delay (~24.8 days): "no limit". */
const NO_LIMIT_MS = 2 ** 31 - 1;
const CLAIMED = '.replaying';

export interface BackfillOptions {
  config: string[];
  paths: string[];
  /** The config source the archives stand in for. */
  source?: string | undefined;
  format?: string | undefined;
  /** Replay dead letters instead of reading archives. */
  deadLetter: boolean;
  /** Dead-letter mode: the sinks to replay (default: every sink with dead letters). */
  sinks?: string[] | undefined;
  dataDir?: string | undefined;
  /** Seconds to wait for the sinks after the input is read; 0 = no limit. */
  timeoutSecs: number;
  progressIntervalSecs: number;
}

export interface BackfillIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  tty: boolean;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}

interface SinkSummary {
  id: string;
  sent: number;
  dead_lettered: number;
  dropped: number;
  buffered: number;
}

export async function runBackfill(opts: BackfillOptions, io: BackfillIo, logger: Logger): Promise<number> {
  const raw = loadConfigFiles(opts.config);
  const { config, problems } = await validateConfig(raw, 'run');
  for (const p of problems) if (p.severity === 'warning') logger.warn({ path: p.path }, p.message);
  if (!config) {
    io.stderr.write(`configuration is invalid:\n${formatProblems(problems.filter((p) => p.severity === 'error'))}\n`);
    return EX_CONFIG;
  }
  // A backfill runs beside the live instance: no API server (port), its own data_dir if asked.
  config.api.enabled = false;
  if (opts.dataDir) config.dataDir = opts.dataDir;
  const tally = new Tally();

  let plan: ValidatedConfig;
  let claimed: string[] = [];
  try {
    if (opts.deadLetter) {
      const bySink = findDeadLetters(config, opts);
      if (bySink.size === 0) {
        io.stdout.write('backfill: no dead letters to replay\n');
        return 0;
      }
      claimed = claim(bySink);
      plan = deadLetterPlan(config, bySink, tally);
      for (const [sink, files] of bySink) io.stderr.write(`backfill: replaying ${files.length} dead-letter file(s) into sink ${sink}\n`);
    } else {
      if (opts.paths.length === 0) throw new PlanError('no input: give the archived files to read');
      for (const p of opts.paths) {
        if (!existsSync(p) || !statSync(p).isFile()) {
          io.stderr.write(`backfill: ${p}: no such file\n`);
          return EX_NOINPUT;
        }
      }
      const a = archivePlan(config, opts.paths, tally, { source: opts.source, format: opts.format });
      plan = a.config;
      io.stderr.write(`backfill: ${opts.paths.length} file(s) in place of source ${a.sourceId} (format ${a.format})\n`);
    }
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    io.stderr.write(`backfill: ${err.message}\n`);
    return EX_CONFIG;
  }

  const topology = await Topology.build(plan, { telemetry: new Telemetry(), logger });
  let interrupted = false;
  const onAbort = (): void => {
    interrupted = true;
  };
  io.signal.addEventListener('abort', onAbort, { once: true });
  const aborted = new Promise<void>((r) => (io.signal.aborted ? r() : io.signal.addEventListener('abort', () => r(), { once: true })));
  try {
    await topology.start();
  } catch (err) {
    await topology.stop(1000).catch(() => {});
    io.stderr.write(`backfill: ${errorMessage(err)}\n`);
    return EX_INCOMPLETE;
  }
  const progress = startProgress(tally, { tty: io.tty, intervalMs: opts.progressIntervalSecs * 1000, out: io.stderr });
  await Promise.race([topology.sourcesFinished(), aborted]);
  // Draining delivers what is buffered (and completes open S3 objects) before the deadline.
  const deadline = interrupted ? plan.shutdownTimeoutSecs * 1000 : opts.timeoutSecs > 0 ? opts.timeoutSecs * 1000 : NO_LIMIT_MS;
  await topology.stop(deadline);
  progress.stop();
  io.signal.removeEventListener('abort', onAbort);

  const sinks = sinkSummaries(topology);
  const complete =
    !interrupted &&
    tally.failedFiles.length === 0 &&
    tally.pendingEvents === 0 &&
    tally.events.errored === 0 &&
    tally.events.dropped === 0 &&
    sinks.every((s) => s.dead_lettered === 0 && s.dropped === 0 && s.buffered === 0);
  if (opts.deadLetter) settleClaims(claimed, tally.pendingEvents === 0 && !interrupted && tally.failedFiles.length === 0, io.stderr);
  io.stdout.write(summary(tally, sinks, complete, interrupted, opts.deadLetter));
  return complete ? 0 : EX_INCOMPLETE;
}

/** Dead-letter files per sink: the given paths (sink = their folder's name), else each sink's folder. */
function findDeadLetters(config: ValidatedConfig, opts: BackfillOptions): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (sink: string, file: string) => out.set(sink, [...(out.get(sink) ?? []), file]);
  if (opts.paths.length > 0) {
    for (const p of opts.paths) {
      if (!existsSync(p)) throw new PlanError(`${p}: no such file`);
      const sink = opts.sinks?.length === 1 ? opts.sinks[0]! : basename(dirname(resolve(p)));
      add(sink, resolve(p));
    }
    return out;
  }
  const sinkIds = opts.sinks ?? config.components.filter((c) => c.kind === 'sink').map((c) => c.id);
  for (const id of sinkIds) {
    if (!config.components.some((c) => c.kind === 'sink' && c.id === id)) throw new PlanError(`--sink ${id}: not a sink of the config`);
    const dir = deadLetterDir(resolve(config.dataDir), id);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.ndjson') || f.endsWith('.ndjson' + CLAIMED)) add(id, join(dir, f));
  }
  return out;
}

/** Renames files to *.replaying, so dead letters written during the replay go to fresh files. */
function claim(bySink: Map<string, string[]>): string[] {
  const claimed: string[] = [];
  for (const [sink, files] of bySink) {
    const renamed = files.map((f) => {
      if (f.endsWith(CLAIMED)) return f;
      renameSync(f, f + CLAIMED);
      return f + CLAIMED;
    });
    bySink.set(sink, renamed);
    claimed.push(...renamed);
  }
  return claimed;
}

/** Settled replays move to replayed/; unsettled ones stay claimed and are picked up next time. */
function settleClaims(claimed: string[], settled: boolean, err: NodeJS.WritableStream): void {
  for (const f of claimed) {
    if (!settled) {
      err.write(`backfill: ${f} kept for the next replay (not every event was settled)\n`);
      continue;
    }
    const dir = join(dirname(f), 'replayed');
    mkdirSync(dir, { recursive: true });
    renameSync(f, join(dir, `${basename(f, CLAIMED)}.${new Date().toISOString().replace(/[:.]/g, '-')}`));
  }
}

function sinkSummaries(topology: Topology): SinkSummary[] {
  const d = topology.describe() as { sinks: Array<{ id: string; counters: { sent: number; dead_lettered: number; dropped: number }; buffer: { events: number } }> };
  return d.sinks.map((s) => ({ id: s.id, sent: s.counters.sent, dead_lettered: s.counters.dead_lettered, dropped: s.counters.dropped, buffered: s.buffer.events }));
}

function summary(t: Tally, sinks: SinkSummary[], complete: boolean, interrupted: boolean, deadLetter: boolean): string {
  const secs = ((Date.now() - t.startedAt) / 1000).toFixed(1);
  const what = deadLetter ? 'dead-letter records' : 'lines';
  let s = `backfill ${complete ? 'complete' : 'INCOMPLETE'}: ${t.lines} ${what} read (${(t.bytesRead / 1048576).toFixed(1)} MB) in ${secs} s\n`;
  s += `  events: ${t.events.delivered} acknowledged by every sink, ${t.events.errored} dead-lettered, ${t.events.dropped} dropped, ${t.pendingEvents} unacknowledged\n`;
  for (const k of sinks) s += `  sink ${k.id}: ${k.sent} sent, ${k.dead_lettered} dead-lettered, ${k.dropped} dropped, ${k.buffered} still buffered\n`;
  for (const f of t.failedFiles) s += `  unreadable: ${f.path}: ${f.reason}\n`;
  if (interrupted) s += '  interrupted: run it again (delivery is at-least-once)\n';
  return s;
}
