/**
 * Latency and idle benches (`npm run bench -- --scenario latency,ws,idle`):
 * - latency: `--probes N` lines (default 1000) appended one by one to a tailed file at ~15/s (the
 *   /live tail keeps every event below 20 a second); for each, the time from the append to the event
 *   on `/live` (a WebSocket client reading `tail` frames) and to the HEC receiver (default batch
 *   timeout). Reports p50/p99/max.
 * - ws: file → live + HEC, `--ws-lines N` lines (default 200,000), time until HEC has them all, with
 *   0 and then 200 WebSocket clients connected to `/live` (the drop is the throughput cost of the feed).
 * - idle: an agent tailing a file that does not grow: CPU % and RSS over `--idle-secs` (default 60).
 */
import { appendFileSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { spawnMeasured, sample } from './proc.js';
import { benchYaml } from './config.js';
import { startBenchReceiver, type BenchReceiver } from './receiver.js';

export interface LatencyOptions {
  root: string;
  dataDir: string;
  which: string[];
  lines: number;
  opt: (name: string, dflt: string) => string;
  /** The throughput bench's cached input file (for the ws bench). */
  input?: () => Promise<string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function startAgent(o: LatencyOptions, name: string, file: string, hec: BenchReceiver, live: boolean, extra: string[] = []) {
  const work = join(o.dataDir, `run-${name}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const port = await freePort();
  const config = join(work, 'edgetail.yaml');
  writeFileSync(
    config,
    benchYaml({
      dataDir: join(work, 'data'),
      file,
      sinks: ['hec'],
      hecUrl: hec.url,
      tuned: false,
      buffer: 'memory',
      api: `api: { address: "127.0.0.1:${port}" }`,
      sourceExtra: extra,
      extraSinks: live ? ['live:', '  type: live', '  inputs: [edge]'] : [],
    }),
  );
  const p = spawnMeasured(['run', '--config', config], { cwd: o.root, env: { EDGETAIL_LOG: 'warn' }, command: join(o.root, 'bin', 'edgetail.js') });
  // Ready when the API answers.
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      if (r.status < 500) break;
    } catch { /* not yet */ }
    if (i > 600) throw new Error(`${name}: the agent did not come up`);
    await sleep(50);
  }
  const stop = async () => {
    p.child.kill('SIGTERM');
    await p.exited;
    rmSync(work, { recursive: true, force: true });
  };
  return { p, port, work, stop };
}

function connect(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/live`, 'edgetail.v1');
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function probeLine(n: number): string {
  return JSON.stringify({ timestamp: new Date().toISOString(), host: 'probe.example', method: 'GET', url: `/probe/${n}`, status: 200, cache_state: 'HIT', resp_bytes: 100, pop: 'AMS', node: 'cache-ams-probe', request_id: `probe-${n}` }) + '\n';
}

async function latency(o: LatencyOptions): Promise<string> {
  const probes = Number(o.opt('probes', '1000'));
  const hec = await startBenchReceiver('hec');
  const dir = join(o.dataDir, 'latency-input');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'probe.log');
  writeFileSync(file, '');
  const agent = await startAgent(o, 'latency', file, hec, true);
  const sentAt = new Map<number, number>(); // probe n → append time
  const byOffset = new Map<number, number>(); // file offset → probe n
  const liveMs: number[] = [];
  const hecMs: number[] = [];
  hec.onEvent = (off, at) => {
    const n = byOffset.get(off);
    if (n !== undefined) hecMs.push(at - sentAt.get(n)!);
  };
  const ws = await connect(agent.port);
  ws.on('message', (data) => {
    const at = Date.now();
    const m = JSON.parse(String(data)) as { type: string; events?: Array<{ fields: { request_id?: string } }> };
    if (m.type !== 'tail') return;
    for (const e of m.events ?? []) {
      const id = e.fields.request_id;
      if (id?.startsWith('probe-')) {
        const t = sentAt.get(Number(id.slice(6)));
        if (t !== undefined) liveMs.push(at - t);
      }
    }
  });
  let offset = 0;
  process.stderr.write(`latency: ${probes} probe lines at ~15/s …\n`);
  for (let n = 0; n < probes; n++) {
    const line = probeLine(n);
    byOffset.set(offset, n);
    sentAt.set(n, Date.now());
    appendFileSync(file, line);
    offset += Buffer.byteLength(line);
    await sleep(66);
  }
  const deadline = Date.now() + 15_000;
  while ((liveMs.length < probes || hecMs.length < probes) && Date.now() < deadline) await sleep(100);
  ws.close();
  await agent.stop();
  await hec.close();
  rmSync(dir, { recursive: true, force: true });
  const row = (what: string, xs: number[], target: string) =>
    `| ${what} | ${xs.length}/${probes} | ${xs.length ? pct(xs, 50) : '-'} | ${xs.length ? pct(xs, 99) : '-'} | ${xs.length ? Math.max(...xs) : '-'} | ${target} |`;
  return ['| latency (ms) | probes seen | p50 | p99 | max | target p99 |', '|---|---|---|---|---|---|', row('append → /live tail frame', liveMs, '1500'), row('append → HEC receiver (batch timeout 1 s)', hecMs, '2000')].join('\n');
}

async function wsLoad(o: LatencyOptions): Promise<string> {
  const lines = Number(o.opt('ws-lines', '200000'));
  const source = await o.input!();
  const hec = await startBenchReceiver('hec');
  const rows: string[] = [];
  const rates: number[] = [];
  for (const clients of [0, 200, 0, 200]) {
    const dir = join(o.dataDir, 'ws-input');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    hec.reset();
    const agent = await startAgent(o, 'ws', join(dir, '*.log'), hec, true, ['glob_interval_ms: 100']);
    const sockets: WebSocket[] = [];
    let frames = 0;
    for (let i = 0; i < clients; i++) {
      const ws = await connect(agent.port);
      ws.on('message', () => { frames++; });
      sockets.push(ws);
    }
    const t0 = performance.now();
    linkSync(source, join(dir, 'edge.log'));
    while (hec.unique < lines) {
      if (hec.refused > 0) throw new Error('ws bench: HEC refused requests');
      await sleep(20);
    }
    const secs = (performance.now() - t0) / 1000;
    const s = agent.p.last();
    for (const ws of sockets) ws.close();
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
    rates.push(lines / secs);
    rows.push(`| ${clients} | ${Math.round(lines / secs).toLocaleString('en-US')} | ${s.cpuSecs.toFixed(1)} | ${s.peakRssMb.toFixed(0)} | ${frames} |`);
  }
  await hec.close();
  const drop = 1 - (rates[1]! + rates[3]!) / (rates[0]! + rates[2]!);
  return [
    `WebSocket load (file → live + HEC, ${lines} lines; runs alternate 0 / 200 clients): throughput drop with 200 clients ${(drop * 100).toFixed(1)} % (target < 10 %)`,
    '',
    '| /live clients | lines/s to HEC | CPU s | peak RSS MB | frames received |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

async function idle(o: LatencyOptions): Promise<string> {
  const secs = Number(o.opt('idle-secs', '60'));
  const hec = await startBenchReceiver('hec');
  const dir = join(o.dataDir, 'idle-input');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'quiet.log');
  writeFileSync(file, '{"timestamp":"2024-05-01T12:00:00Z","host":"a"}\n');
  const agent = await startAgent(o, 'idle', file, hec, false);
  await sleep(5000); // settle (startup, first batch)
  const pid = agent.p.child.pid!;
  const a = sample(pid)!;
  process.stderr.write(`idle: sampling ${secs} s …\n`);
  let rss = 0;
  for (let t = 0; t < secs; t++) {
    await sleep(1000);
    rss = Math.max(rss, currentRssMb(pid));
  }
  const b = sample(pid)!;
  await agent.stop();
  await hec.close();
  rmSync(dir, { recursive: true, force: true });
  const cpuPct = ((b.cpuSecs - a.cpuSecs) / secs) * 100;
  return `Idle agent (file → HEC, api on, tailing a quiet file), ${secs} s after a 5 s settle: CPU ${cpuPct.toFixed(2)} % (target < 1 %), RSS max ${rss.toFixed(0)} MB (target < 80 MB), peak since start ${b.peakRssMb.toFixed(0)} MB`;
}

function currentRssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export async function runLatencyBenches(o: LatencyOptions): Promise<void> {
  const out: string[] = [];
  if (o.which.includes('latency')) out.push(await latency(o));
  if (o.which.includes('ws')) out.push(await wsLoad(o));
  if (o.which.includes('idle')) out.push(await idle(o));
  process.stdout.write('\n' + out.join('\n\n') + '\n');
}
