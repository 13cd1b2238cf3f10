/** Shared by the per-sink `edgetail run` fault tests (hec-run, datadog-run, s3-run). */
import { writeFileSync } from 'node:fs';
import type { Running } from '../helpers/cli.js';

/** The second of line i: 2024-05-02T10:MM:SS, one second per 5,000 lines. */
export function lineTime(i: number): number {
  return Date.UTC(2024, 4, 2, 10, 0, 0) + Math.floor(i / 5000) * 1000;
}

/** Fastly-JSON-shaped lines with a unique request_id, a node and a pop. */
export function edgeLine(i: number): string {
  const iso = new Date(lineTime(i)).toISOString().replace('.000Z', 'Z');
  return `{"timestamp":"${iso}","host":"cdn.example.com","url":"/v1/obj?i=${i}","status":${i % 10 === 0 ? 503 : 200},"pop":"FRA","node":"cache-fra-${i % 4}","request_id":"r${i}"}`;
}

/** Writes lines [from, from + n) to `path`. */
export function writeEdgeLines(path: string, from: number, n: number): void {
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = edgeLine(from + i);
  writeFileSync(path, out.join('\n') + '\n');
}

/** Throws when the process exited (with its stderr), for waitFor checks. */
export function alive(p: Running): void {
  if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`edgetail exited early (${p.child.exitCode ?? p.child.signalCode}):\n${p.stderr().slice(-4000)}`);
}

export interface TimedRequest {
  at: number;
  status: number;
}

/**
 * With one request at a time, every request answered `status` with Retry-After `secs` must be
 * followed by the next one no sooner than `secs` later (the backoff alone is far shorter).
 * Returns how many such gaps were checked.
 */
export function assertRetryAfterHonoured(requests: TimedRequest[], status: number, secs: number): number {
  const sorted = [...requests].sort((a, b) => a.at - b.at);
  let checked = 0;
  for (let i = 0; i + 1 < sorted.length; i++) {
    if (sorted[i]!.status !== status) continue;
    const gap = sorted[i + 1]!.at - sorted[i]!.at;
    // 50 ms of slack for timer granularity between the two processes' clocks (same host).
    if (gap < secs * 1000 - 50) throw new Error(`a retry came ${gap} ms after a ${status} with Retry-After: ${secs}`);
    checked++;
  }
  return checked;
}
