/**
 * Shared pieces of the overload and soak benches: a receiver whose capacity is fixed (events/s), a
 * writer that appends generated lines to a log file at a fixed rate, an edgetail child process with
 * its /metrics scraped, and RSS sampling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { repoRoot } from '../test/helpers/cli.js';
import { runGenerate } from '../src/cli/generate.js';

export const root = repoRoot();

export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Lines of the cutover scenario (fastly_json), generated in memory once. */
export async function generateLines(n: number): Promise<string[]> {
  const chunks: string[] = [];
  const sink = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c.toString()); cb(); } });
  await runGenerate({ scenario: 'cutover', format: 'fastly_json', lines: n, seed: 7 }, sink as unknown as NodeJS.WritableStream);
  const lines = chunks.join('').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export interface CapacityReceiver {
  url: string;
  readonly lines: number;
  /** Events/s it serves (Infinity = as fast as it can). */
  capacity: number;
  close(): Promise<void>;
}

/** Counts NDJSON lines; answers each request only after lines/capacity seconds (one at a time per connection). */
export async function startCapacityReceiver(capacity: number): Promise<CapacityReceiver> {
  let lines = 0;
  let busyUntil = 0;
  const state = { capacity };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const wire = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire;
      let n = 0;
      for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) n++;
      if (body.length > 0 && body[body.length - 1] !== 10) n++;
      // A single server-wide budget: the receiver serves `capacity` events/s whatever the concurrency.
      const now = Date.now();
      const cost = Number.isFinite(state.capacity) ? (n / state.capacity) * 1000 : 0;
      busyUntil = Math.max(busyUntil, now) + cost;
      setTimeout(() => {
        lines += n;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      }, busyUntil - now);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`,
    get lines() { return lines; },
    get capacity() { return state.capacity; },
    set capacity(v: number) { state.capacity = v; },
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

/** Appends lines to `file` at `rate` lines/s (10 ticks a second) until stopped; counts what it wrote. */
export function startWriter(file: string, lines: string[], rate: number): { readonly written: number; setRate(r: number): void; stop(): void } {
  let written = 0;
  let current = rate;
  let due = 0;
  const timer = setInterval(() => {
    due += current / 10;
    const n = Math.floor(due);
    if (n <= 0) return;
    due -= n;
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(lines[(written + i) % lines.length]!);
    appendFileSync(file, out.join('\n') + '\n');
    written += n;
  }, 100);
  return { get written() { return written; }, setRate(r) { current = r; }, stop() { clearInterval(timer); } };
}

export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

export interface Edgetail {
  child: ChildProcess;
  metrics(): Promise<string>;
  stop(): Promise<number | null>;
}

/** Writes the config (sinks section given) and runs `bin/edgetail.js run` on it. */
export async function startPipeline(dir: string, logFile: string, sinks: string[]): Promise<Edgetail> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = join(dir, 'edgetail.yaml');
  writeFileSync(config, [
    `data_dir: ${join(dir, 'data')}`,
    `api: { address: "127.0.0.1:${port}" }`,
    'sources:',
    `  edge: { type: file, include: ["${logFile}"], format: fastly_json, glob_interval_ms: 200 }`,
    'sinks:',
    ...sinks,
  ].join('\n'));
  writeFileSync(logFile, '');
  const child = spawn(join(root, 'bin', 'edgetail.js'), ['run', '--config', config], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, EDGETAIL_LOG: 'warn' } });
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  for (let i = 0; i < 200; i++) {
    if (await metrics().then(() => true, () => false)) break;
    await sleep(100);
  }
  return { child, metrics, stop: async () => { child.kill('SIGTERM'); return exited; } };
}

/** Sum of the samples of `name` whose labels include every `label="value"` given. */
export function metric(text: string, name: string, labels: Record<string, string> = {}, exclude: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(labels).some(([k, v]) => !line.includes(`${k}="${v}"`))) continue;
    if (Object.entries(exclude).some(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Least-squares slope of y over x, and R². */
export function regression(xs: number[], ys: number[]): { slope: number; r2: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, r2: sxx === 0 || syy === 0 ? 0 : (sxy * sxy) / (sxx * syy) };
}
