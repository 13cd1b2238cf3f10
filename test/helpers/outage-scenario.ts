/**
 * The outage scenario (issue "Durable disk buffers"), shared by bench/outage.ts (60 s outage,
 * figures) and test/integration/disk-buffer-outage.test.ts (a short one, correctness only).
 *
 * A file is appended at a steady `rate` (lines/s) while edgetail runs file → three http sinks with
 * disk buffers (a, b, down). After a warm-up, the rate of a and b is measured over `normalSecs`;
 * then the receiver of `down` is taken down (port closed: connections refused) for `outageSecs`,
 * during which the rate of a and b is measured again and edgetail's RSS sampled every second; then
 * it comes back and the scenario waits until every line reached every sink.
 */
import { readdirSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEdgetail, type Running } from './cli.js';
import { startOffsetReceiver, type OffsetReceiver } from './offset-receiver.js';
import { tempDir, waitFor } from './context.js';

const LINE_BYTES = 10; // "L00000000\n"

export interface OutageOptions {
  rate: number;
  warmupSecs: number;
  normalSecs: number;
  outageSecs: number;
  /** Progress lines (the bench prints them). */
  log?: (msg: string) => void;
}

export interface SinkFigures {
  normalRate: number;
  outageRate: number;
  /** outageRate / normalRate. */
  ratio: number;
  distinct: number;
  duplicates: number;
  missing: number[];
  mismatched: number;
  foreign: number;
}

export interface OutageReport {
  lines: number;
  sinks: { a: SinkFigures; b: SinkFigures; down: Pick<SinkFigures, 'distinct' | 'duplicates' | 'missing' | 'mismatched' | 'foreign'> };
  rssMb: { beforeOutage: number; outageMax: number; outageEnd: number };
  /** Bytes of the down sink's segment files when the receiver came back. */
  downBufferFileBytes: number;
  /** From the receiver's return until the down sink had every line. */
  catchUpSecs: number;
  exitCode: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir)) if (f.endsWith('.seg')) n += statSync(join(dir, f)).size;
  return n;
}

function line(i: number): string {
  return `L${String(i).padStart(LINE_BYTES - 2, '0')}\n`;
}

export async function runOutage(o: OutageOptions): Promise<OutageReport> {
  const log = o.log ?? (() => {});
  const lines = Math.ceil(o.rate * (o.warmupSecs + o.normalSecs + o.outageSecs));
  const dir = tempDir('edgetail-outage-');
  const receivers: OffsetReceiver[] = [];
  let proc: Running | undefined;
  let writing = true;
  try {
    const [a, b, down] = [await startOffsetReceiver(lines, LINE_BYTES), await startOffsetReceiver(lines, LINE_BYTES), await startOffsetReceiver(lines, LINE_BYTES)];
    receivers.push(a!, b!, down!);
    const logFile = join(dir.path, 'edge.log');
    writeFileSync(logFile, '');
    const sink = (id: string, url: string) => [
      `  ${id}:`,
      '    type: http',
      '    inputs: [edge]',
      `    uri: ${url}`,
      '    healthcheck: { enabled: false }',
      '    encoding: { codec: ndjson, only_fields: [message, event_id] }',
      '    batch: { max_events: 1000, timeout_secs: 0.2 }',
      '    request: { concurrency: 2, retry_initial_backoff_secs: 0.1, retry_max_backoff_secs: 2 }',
      '    buffer: { type: disk }',
    ];
    const config = join(dir.path, 'edgetail.yaml');
    writeFileSync(
      config,
      [
        `data_dir: ${join(dir.path, 'data')}`,
        'api: { enabled: false }',
        'sources:',
        '  edge:',
        '    type: file',
        `    include: [${logFile}]`,
        '    format: raw',
        '    poll_interval_ms: 50',
        'sinks:',
        ...sink('a', a!.url),
        ...sink('b', b!.url),
        ...sink('down', down!.url),
      ].join('\n'),
    );
    proc = startEdgetail(['run', '--config', config]);
    const pid = proc.child.pid!;

    // The writer: appends at `rate` lines/s in 50 ms steps until `lines` are written.
    let written = 0;
    const started = Date.now();
    const writer = (async () => {
      while (written < lines && writing) {
        const due = Math.min(lines, Math.floor(((Date.now() - started) / 1000) * o.rate));
        if (due > written) {
          let chunk = '';
          for (let i = written; i < due; i++) chunk += line(i);
          appendFileSync(logFile, chunk);
          written = due;
        }
        await sleep(50);
      }
    })();

    const snap = () => ({ t: Date.now(), a: a!.distinct, b: b!.distinct });
    await sleep(o.warmupSecs * 1000);
    const t1 = snap();
    await sleep(o.normalSecs * 1000);
    const t2 = snap();
    const rssBefore = rssMb(pid);
    log(`normal: a ${rate(t1.a, t2.a, t1.t, t2.t)}/s, b ${rate(t1.b, t2.b, t1.t, t2.t)}/s; taking "down" down for ${o.outageSecs} s`);
    await down!.down();
    let rssMax = rssBefore;
    const outageEnd = t2.t + o.outageSecs * 1000;
    while (Date.now() < outageEnd) {
      await sleep(Math.min(1000, outageEnd - Date.now()));
      rssMax = Math.max(rssMax, rssMb(pid));
    }
    const t3 = snap();
    const rssEnd = rssMb(pid);
    const downBufferFileBytes = dirBytes(join(dir.path, 'data', 'buffers', 'down'));
    log(`outage: a ${rate(t2.a, t3.a, t2.t, t3.t)}/s, b ${rate(t2.b, t3.b, t2.t, t3.t)}/s; RSS ${rssBefore.toFixed(0)} → max ${rssMax.toFixed(0)} MB; down's buffer files ${(downBufferFileBytes / 1e6).toFixed(1)} MB; receiver back`);
    await down!.up();
    await writer;
    const running = proc;
    await waitFor(() => down!.distinct === lines || running.child.exitCode !== null, 'the down sink catches up', 600_000, 50);
    const catchUpSecs = (Date.now() - t3.t) / 1000;
    await waitFor(() => (a!.distinct === lines && b!.distinct === lines) || running.child.exitCode !== null, 'every line at a and b', 120_000, 50);
    proc.child.kill('SIGTERM');
    const { code } = await proc.exited;
    proc = undefined;

    const figures = (r: OffsetReceiver) => ({ distinct: r.distinct, duplicates: r.duplicates, missing: r.missing(), mismatched: r.mismatched, foreign: r.foreign });
    const measured = (r: OffsetReceiver, k: 'a' | 'b'): SinkFigures => {
      const normalRate = (t2[k] - t1[k]) / ((t2.t - t1.t) / 1000);
      const outageRate = (t3[k] - t2[k]) / ((t3.t - t2.t) / 1000);
      return { normalRate, outageRate, ratio: outageRate / normalRate, ...figures(r) };
    };
    return {
      lines,
      sinks: { a: measured(a!, 'a'), b: measured(b!, 'b'), down: figures(down!) },
      rssMb: { beforeOutage: rssBefore, outageMax: rssMax, outageEnd: rssEnd },
      downBufferFileBytes,
      catchUpSecs,
      exitCode: code,
    };
  } finally {
    writing = false;
    proc?.child.kill('SIGKILL');
    await Promise.all(receivers.map((r) => r.close()));
    dir.cleanup();
  }
}

function rate(from: number, to: number, t0: number, t1: number): string {
  return Math.round((to - from) / ((t1 - t0) / 1000)).toLocaleString('en-US');
}
