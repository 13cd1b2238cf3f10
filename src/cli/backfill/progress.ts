/**
 * Backfill progress: a cli-progress bar on a TTY (bytes done / total, lines/s, ETA), one plain line
 * every `intervalMs` otherwise (logs, CI). Both on stderr; stdout stays free for the summary.
 */
import { Presets, SingleBar } from 'cli-progress';
import type { Tally } from './tally.js';

export interface ProgressOptions {
  tty: boolean;
  intervalMs: number;
  out: NodeJS.WritableStream;
}

export interface Progress {
  /** Stops the display (a last line when not a TTY). */
  stop(): void;
}

const MB = 1024 * 1024;

function mb(n: number): string {
  return (n / MB).toFixed(1);
}

function duration(secs: number): string {
  if (!Number.isFinite(secs)) return '?';
  const s = Math.max(0, Math.round(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** The numbers both displays show. */
export function snapshot(t: Tally, now = Date.now()): { pct: number; linesPerSec: number; etaSecs: number } {
  const secs = Math.max(0.001, (now - t.startedAt) / 1000);
  const pct = t.bytesTotal > 0 ? Math.min(100, (t.bytesRead / t.bytesTotal) * 100) : 100;
  const bytesPerSec = t.bytesRead / secs;
  const etaSecs = bytesPerSec > 0 ? (t.bytesTotal - t.bytesRead) / bytesPerSec : Infinity;
  return { pct, linesPerSec: Math.round(t.lines / secs), etaSecs };
}

/** One plain progress line (no newline). */
export function progressLine(t: Tally, now = Date.now()): string {
  const s = snapshot(t, now);
  return (
    `backfill: ${mb(t.bytesRead)}/${mb(t.bytesTotal)} MB (${s.pct.toFixed(1)}%), ${t.lines} lines, ${s.linesPerSec} lines/s, ` +
    `ETA ${duration(s.etaSecs)}, ${t.pendingEvents} events awaiting acknowledgement`
  );
}

export function startProgress(t: Tally, opts: ProgressOptions): Progress {
  if (!opts.tty) {
    const timer = setInterval(() => opts.out.write(progressLine(t) + '\n'), opts.intervalMs);
    timer.unref();
    return {
      stop() {
        clearInterval(timer);
        opts.out.write(progressLine(t) + '\n');
      },
    };
  }
  const bar = new SingleBar(
    {
      format: 'backfill |{bar}| {percentage}% | {done}/{totalMb} MB | {lines} lines | {rate} lines/s | ETA {eta_formatted} | {pending} awaiting ack',
      stream: opts.out as NodeJS.WriteStream,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    Presets.shades_classic,
  );
  const payload = () => ({ done: mb(t.bytesRead), totalMb: mb(t.bytesTotal), lines: t.lines, rate: snapshot(t).linesPerSec, pending: t.pendingEvents });
  bar.start(Math.max(1, t.bytesTotal), 0, payload());
  const timer = setInterval(() => bar.update(t.bytesRead, payload()), 200);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      bar.update(t.bytesRead, payload());
      bar.stop();
    },
  };
}
