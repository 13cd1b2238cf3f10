/**
 * `npm run bench`: throughput of file → fastly_json → sinks on loopback, next to the plain one-thread
 * Node loop (bench/baseline.ts) run in the same invocation, interleaved run by run, so the ratio is
 * comparable across noisy machines. Options (bench/README.md):
 *   --lines N            input lines (default 1,000,000; the file is generated once and cached)
 *   --runs N             runs per scenario, medians reported (default 3)
 *   --scenario a,b       default, tuned, fanout, fanout-tuned, latency, idle, ws (default: default,tuned)
 *   --sinks hec,datadog,s3   adds the fan-out scenario (those sinks at once) to the selection
 *   --buffer memory|disk|both  buffer of the throughput scenarios (both: each scenario twice)
 *   --cpu-prof DIR       write a V8 CPU profile of every edgetail process into DIR (node --cpu-prof)
 *   latency/ws/idle options (bench/latency.ts): --probes N, --ws-lines N, --idle-secs N
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { repoRoot } from '../test/helpers/cli.js';
import { runGenerate } from '../src/cli/generate.js';
import { BENCH_TOKEN, startBenchReceiver, type BenchReceiver } from './receiver.js';
import { spawnMeasured } from './proc.js';
import { benchYaml, type SinkName } from './config.js';
import { startS3, type S3Bench } from './s3.js';
import { runLatencyBenches } from './latency.js';

interface Result {
  scenario: string;
  lines: number;
  secs: number;
  peakRssMb: number;
  cpuSecs: number;
  mainCpuSecs: number;
}

interface Scenario {
  name: string;
  sinks: SinkName[];
  tuned: boolean;
  buffer: 'memory' | 'disk';
}

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const LINES = Number(opt('lines', '1000000'));
const RUNS = Number(opt('runs', '3'));
const SINKS = opt('sinks', 'hec').split(',').filter(Boolean) as SinkName[];
const BUFFER = opt('buffer', 'memory');
const WANT = new Set(opt('scenario', opt('only', SINKS.length > 1 ? 'default,fanout' : 'default,tuned')).split(','));
if (SINKS.length > 1) WANT.add('fanout');
for (const s of SINKS) if (!['hec', 'datadog', 's3'].includes(s)) throw new Error(`unknown sink ${s} (hec, datadog, s3)`);
if (!['memory', 'disk', 'both'].includes(BUFFER)) throw new Error('--buffer is memory, disk or both');
const PROF_DIR = opt('cpu-prof', '');

/**
 * How an edgetail process is started: the launcher itself, so its V8 flags and environment (shebang
 * line) apply as in production; with --cpu-prof, node with those flags and variables plus --cpu-prof
 * (not allowed in NODE_OPTIONS).
 */
function edgetailCommand(args: string[]): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const bin = join(root, 'bin', 'edgetail.js');
  if (!PROF_DIR) return { command: bin, args, env: {} };
  const words = readFileSync(bin, 'utf8').split('\n', 1)[0]!.split(/\s+/);
  const flags = words.filter((f) => f.startsWith('--'));
  const env = Object.fromEntries(words.filter((w) => /^[A-Z_][A-Z0-9_]*=/.test(w)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  return { command: process.execPath, args: [...flags, '--cpu-prof', `--cpu-prof-dir=${resolve(PROF_DIR)}`, bin, ...args], env };
}

const root = repoRoot();
const dataDir = join(root, 'bench', '.data');
mkdirSync(dataDir, { recursive: true });

async function ensureInput(lines = LINES): Promise<string> {
  const file = join(dataDir, `fastly-${lines}.log`);
  const marker = `${file}.done`;
  if (existsSync(marker) && existsSync(file) && readFileSync(marker, 'utf8') === String(statSync(file).size)) return file;
  process.stderr.write(`generating ${lines} fastly_json lines into ${file} …\n`);
  const out = createWriteStream(file);
  await runGenerate({ scenario: 'cutover', format: 'fastly_json', lines, seed: 42 }, out);
  out.end();
  await once(out, 'finish');
  writeFileSync(marker, String(statSync(file).size));
  return file;
}

async function waitAll(rxs: BenchReceiver[], exited: Promise<number | null>, what: string): Promise<void> {
  let done = false;
  void exited.then(() => { done = true; });
  while (rxs.some((r) => r.unique < LINES)) {
    if (done) throw new Error(`${what} exited before delivering everything (${rxs.map((r) => `${r.kind} ${r.unique}/${LINES}`).join(', ')})`);
    const refused = rxs.find((r) => r.refused > 0);
    if (refused) throw new Error(`${what}: the ${refused.kind} receiver refused ${refused.refused} request(s)`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function checkExact(what: string, kind: string, got: { unique: number; events: number }): void {
  if (got.unique !== LINES || got.events !== LINES) throw new Error(`${what}: ${kind} received ${got.events} events, ${got.unique} distinct, for ${LINES} lines`);
}

async function runBaseline(file: string, hec: BenchReceiver): Promise<Result> {
  hec.reset();
  const t0 = performance.now();
  const p = spawnMeasured([join(root, 'dist', 'bench', 'baseline.js'), file, hec.url, BENCH_TOKEN], { cwd: root });
  const code = await p.exited;
  const secs = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`baseline failed with ${code}`);
  checkExact('plain loop', 'hec', hec);
  const s = p.last();
  return { scenario: 'plain node loop (1 thread, gzip 1)', lines: LINES, secs, peakRssMb: s.peakRssMb, cpuSecs: s.cpuSecs, mainCpuSecs: s.mainCpuSecs };
}

let runNo = 0;

async function runEdgetail(sc: Scenario, file: string, rx: Record<'hec' | 'datadog', BenchReceiver>, s3: S3Bench | undefined): Promise<Result> {
  const work = join(dataDir, `run-${sc.name}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const prefix = `run-${process.pid}-${++runNo}/`;
  const config = join(work, 'edgetail.yaml');
  writeFileSync(config, benchYaml({ dataDir: join(work, 'data'), file, sinks: sc.sinks, hecUrl: rx.hec.url, datadogUrl: rx.datadog.url, s3: s3?.target(prefix), tuned: sc.tuned, buffer: sc.buffer }));
  const http = sc.sinks.filter((s): s is 'hec' | 'datadog' => s !== 's3').map((s) => rx[s]);
  for (const r of http) r.reset();
  const t0 = performance.now();
  // Executed directly so that the launcher's V8 flags (its shebang line) apply, as in production.
  const cmd = edgetailCommand(['run', '--config', config]);
  const p = spawnMeasured(cmd.args, { cwd: root, env: { ...cmd.env, EDGETAIL_LOG: 'warn' }, command: cmd.command });
  let secs: number;
  let s;
  try {
    await waitAll(http, p.exited, sc.name);
    secs = (performance.now() - t0) / 1000;
    s = p.last();
  } finally {
    p.child.kill('SIGTERM');
  }
  await p.exited;
  if (sc.sinks.includes('s3')) {
    // S3 objects are complete only once the sink closed them: the time runs until the process exited
    // after its drain (which completes open objects).
    secs = (performance.now() - t0) / 1000;
    s = p.last();
    checkExact(sc.name, 's3', await s3!.count(prefix));
  }
  for (const r of http) checkExact(sc.name, r.kind, r);
  rmSync(work, { recursive: true, force: true });
  return { scenario: `edgetail ${sc.name}`, lines: LINES, secs, peakRssMb: s.peakRssMb, cpuSecs: s.cpuSecs, mainCpuSecs: s.mainCpuSecs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  const buffers: Array<'memory' | 'disk'> = BUFFER === 'both' ? ['memory', 'disk'] : [BUFFER as 'memory' | 'disk'];
  const add = (name: string, sinks: SinkName[], tuned: boolean) => {
    if (!WANT.has(name)) return;
    for (const b of buffers) out.push({ name: b === 'disk' ? `${name} disk-buffer` : name, sinks, tuned, buffer: b });
  };
  const fan: SinkName[] = SINKS.length > 1 ? SINKS : ['hec', 'datadog', 's3'];
  add('default', ['hec'], false);
  add('tuned', ['hec'], true);
  add('fanout', fan, false);
  add('fanout-tuned', fan, true);
  return out;
}

async function throughput(): Promise<void> {
  const list = scenarios();
  if (list.length === 0) return;
  const file = await ensureInput();
  const mb = statSync(file).size / 1e6;
  const rx = { hec: await startBenchReceiver('hec'), datadog: await startBenchReceiver('datadog') };
  const s3 = list.some((s) => s.sinks.includes('s3')) ? await startS3(root) : undefined;
  const results = new Map<string, Result[]>();
  const push = (r: Result) => {
    const l = results.get(r.scenario) ?? [];
    l.push(r);
    results.set(r.scenario, l);
    process.stderr.write(`  ${r.scenario}: ${(r.lines / r.secs).toFixed(0)} lines/s, peak RSS ${r.peakRssMb.toFixed(0)} MB, CPU ${r.cpuSecs.toFixed(1)} s (main thread ${r.mainCpuSecs.toFixed(1)} s)\n`);
  };
  try {
    // Interleaved: each round runs the plain loop and then every scenario once, so a noisy
    // neighbour hits all of them alike.
    for (let i = 0; i < RUNS; i++) {
      process.stderr.write(`round ${i + 1}/${RUNS}\n`);
      push(await runBaseline(file, rx.hec));
      for (const sc of list) push(await runEdgetail(sc, file, rx, s3));
    }
  } finally {
    await rx.hec.close();
    await rx.datadog.close();
    await s3?.close();
  }
  const rows = [...results.values()].map((rs) => ({
    scenario: rs[0]!.scenario,
    lines: LINES,
    secs: median(rs.map((r) => r.secs)),
    peakRssMb: median(rs.map((r) => r.peakRssMb)),
    cpuSecs: median(rs.map((r) => r.cpuSecs)),
    mainCpuSecs: median(rs.map((r) => r.mainCpuSecs)),
  }));
  const base = rows[0]!;
  const table = [
    `input: ${LINES} lines, ${mb.toFixed(0)} MB (page-cached after the first run); medians of ${RUNS} run(s); node ${process.version}; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`,
    '',
    '| scenario | lines/s | MB/s | peak RSS MB | CPU s | main-thread CPU s | ratio to plain loop |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.scenario} | ${Math.round(r.lines / r.secs).toLocaleString('en-US')} | ${(mb / r.secs).toFixed(1)} | ${r.peakRssMb.toFixed(0)} | ${r.cpuSecs.toFixed(1)} | ${r.mainCpuSecs.toFixed(1)} | ${(base.secs / r.secs).toFixed(2)} |`),
  ].join('\n');
  process.stdout.write(table + '\n');
}

async function main(): Promise<void> {
  await throughput();
  const other = ['latency', 'idle', 'ws'].filter((s) => WANT.has(s));
  if (other.length > 0) await runLatencyBenches({ root, dataDir, which: other, lines: LINES, opt, input: () => ensureInput(Number(opt('ws-lines', '200000'))) });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
