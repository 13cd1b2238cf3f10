/**
 * `npm run bench`: throughput of file → fastly_json → http (gzip, ndjson) to a local receiver, next to
 * a plain one-thread Node loop doing the same work (the ratio is comparable across noisy machines).
 * Options: --lines N (default 1,000,000), --runs N (default 3, medians reported), --only NAME.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { repoRoot } from '../test/helpers/cli.js';
import { runGenerate } from '../src/cli/generate.js';
import { startBenchReceiver, type BenchReceiver } from './receiver.js';
import { spawnMeasured } from './proc.js';

interface Result {
  scenario: string;
  lines: number;
  secs: number;
  peakRssMb: number;
  cpuSecs: number;
}

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : dflt;
};
const LINES = Number(opt('lines', '1000000'));
const RUNS = Number(opt('runs', '3'));
const ONLY = opt('only', '');

const root = repoRoot();
const dataDir = join(root, 'bench', '.data');
mkdirSync(dataDir, { recursive: true });

async function ensureInput(): Promise<string> {
  const file = join(dataDir, `fastly-${LINES}.log`);
  const marker = `${file}.done`;
  if (existsSync(marker) && existsSync(file) && readFileSync(marker, 'utf8') === String(statSync(file).size)) return file;
  process.stderr.write(`generating ${LINES} fastly_json lines into ${file} …\n`);
  const out = createWriteStream(file);
  await runGenerate({ scenario: 'cutover', format: 'fastly_json', lines: LINES, seed: 42 }, out);
  out.end();
  await once(out, 'finish');
  writeFileSync(marker, String(statSync(file).size));
  return file;
}

async function waitLines(rx: BenchReceiver, target: number, exited: Promise<number | null>, what: string): Promise<void> {
  let done = false;
  void exited.then(() => { done = true; });
  while (rx.lines < target) {
    if (done && rx.lines < target) throw new Error(`${what} exited before delivering everything (${rx.lines}/${target})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function runBaseline(file: string, rx: BenchReceiver): Promise<Result> {
  const before = rx.lines;
  const t0 = performance.now();
  const p = spawnMeasured([join(root, 'dist', 'bench', 'baseline.js'), file, rx.url], { cwd: root });
  const code = await p.exited;
  const secs = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`baseline failed with ${code}`);
  if (rx.lines - before !== LINES) throw new Error(`baseline delivered ${rx.lines - before} of ${LINES}`);
  const s = p.last();
  return { scenario: 'plain node loop (1 thread, gzip 1)', lines: LINES, secs, peakRssMb: s.peakRssMb, cpuSecs: s.cpuSecs };
}

async function runEdgetail(name: string, file: string, rx: BenchReceiver, sinkExtra: string[]): Promise<Result> {
  const work = join(dataDir, `run-${name}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const config = join(work, 'edgetail.yaml');
  writeFileSync(
    config,
    [
      `data_dir: ${join(work, 'data')}`,
      'api: { enabled: false }',
      'sources:',
      `  edge: { type: file, include: [${file}], format: fastly_json }`,
      'sinks:',
      '  out:',
      '    type: http',
      '    inputs: [edge]',
      `    uri: ${rx.url}`,
      '    compression: gzip',
      ...sinkExtra.map((l) => `    ${l}`),
    ].join('\n'),
  );
  const before = rx.lines;
  const t0 = performance.now();
  // Executed directly so that the launcher's V8 flags (its shebang line) apply, as in production.
  const p = spawnMeasured(['run', '--config', config], { cwd: root, env: { EDGETAIL_LOG: 'warn' }, command: join(root, 'bin', 'edgetail.js') });
  await waitLines(rx, before + LINES, p.exited, 'edgetail');
  const secs = (performance.now() - t0) / 1000;
  const s = p.last();
  p.child.kill('SIGTERM');
  await p.exited;
  if (rx.lines - before !== LINES) throw new Error(`edgetail delivered ${rx.lines - before} events for ${LINES} lines (duplicates?)`);
  return { scenario: `edgetail ${name}`, lines: LINES, secs, peakRssMb: s.peakRssMb, cpuSecs: s.cpuSecs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const file = await ensureInput();
  const mb = statSync(file).size / 1e6;
  const rx = await startBenchReceiver();
  const scenarios: Array<[string, () => Promise<Result>]> = [
    ['baseline', () => runBaseline(file, rx)],
    ['default', () => runEdgetail('default', file, rx, [])],
  ];
  const rows: Result[] = [];
  try {
    for (const [name, run] of scenarios) {
      if (ONLY && name !== ONLY && name !== 'baseline') continue;
      const results: Result[] = [];
      for (let i = 0; i < RUNS; i++) {
        const r = await run();
        process.stderr.write(`  ${r.scenario} run ${i + 1}: ${(r.lines / r.secs).toFixed(0)} lines/s, peak RSS ${r.peakRssMb.toFixed(0)} MB\n`);
        results.push(r);
      }
      rows.push({
        scenario: results[0]!.scenario,
        lines: LINES,
        secs: median(results.map((r) => r.secs)),
        peakRssMb: median(results.map((r) => r.peakRssMb)),
        cpuSecs: median(results.map((r) => r.cpuSecs)),
      });
    }
  } finally {
    await rx.close();
  }
  const base = rows[0]!;
  const table = [
    `input: ${LINES} lines, ${mb.toFixed(0)} MB (page-cached after the first run); medians of ${RUNS} run(s); node ${process.version}`,
    '',
    '| scenario | lines/s | MB/s | peak RSS MB | CPU s | ratio to plain loop |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.scenario} | ${Math.round(r.lines / r.secs).toLocaleString('en-US')} | ${(mb / r.secs).toFixed(1)} | ${r.peakRssMb.toFixed(0)} | ${r.cpuSecs.toFixed(1)} | ${(base.secs / r.secs).toFixed(2)} |`),
  ].join('\n');
  process.stdout.write(table + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
