/**
 * `node dist/bench/kafka.js [--lines N]` (after `npm run build`): Kafka transport throughput on the
 * real test broker (scripts/services.sh start kafka).
 *   1. end to end: agent (file → fastly_json → kafka sink) and collector (kafka source → blackhole)
 *      started together; time until the collector has delivered every line.
 *   2. collector alone: a new consumer group reads the same topic (already full) → blackhole.
 * Delivered counts come from the collector's /metrics (edgetail_component_sent_events_total of the
 * blackhole sink); a run fails if the count does not reach exactly N.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { repoRoot } from '../test/helpers/cli.js';
import { freePort } from '../test/integration/kafka-support.js';
import { runGenerate } from '../src/cli/generate.js';
import { spawnMeasured, type ProcSample } from './proc.js';

const argv = process.argv.slice(2);
const i = argv.indexOf('--lines');
const LINES = i >= 0 ? Number(argv[i + 1]) : 500_000;
const root = repoRoot();
const work = join(root, 'bench', '.data', 'kafka');
const bin = join(root, 'bin', 'edgetail.js');

function brokers(): string {
  const out = execFileSync('bash', [join(root, 'scripts', 'services.sh'), 'start', 'kafka'], { encoding: 'utf8' });
  const m = /^KAFKA_BROKERS=(\S+)$/m.exec(out);
  if (!m) throw new Error(`no KAFKA_BROKERS in: ${out}`);
  return m[1]!;
}

async function input(): Promise<string> {
  const file = join(work, `fastly-${LINES}.log`);
  if (existsSync(file)) return file;
  const out = createWriteStream(file);
  await runGenerate({ scenario: 'cutover', format: 'fastly_json', lines: LINES, seed: 7 }, out);
  out.end();
  await once(out, 'finish');
  return file;
}

async function sentEvents(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const m = /^edgetail_component_sent_events_total\{component_id="out"[^}]*\}\s+(\S+)$/m.exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function collectorYaml(name: string, b: string, topic: string, group: string, port: number): string {
  const f = join(work, `${name}.yaml`);
  writeFileSync(
    f,
    [
      `data_dir: ${join(work, `${name}-data`)}`,
      `api: { address: "127.0.0.1:${port}" }`,
      'sources:',
      `  bus: { type: kafka, bootstrap_servers: ${b}, group_id: ${group}, topics: [${topic}], start_from: earliest }`,
      'sinks:',
      '  out: { type: blackhole, inputs: [bus] }',
    ].join('\n'),
  );
  return f;
}

interface Row {
  scenario: string;
  secs: number;
  procs: Array<[string, ProcSample]>;
}

async function waitDelivered(port: number, exited: Promise<number | null>[]): Promise<void> {
  let dead = false;
  for (const e of exited) void e.then(() => (dead = true));
  for (;;) {
    const n = await sentEvents(port);
    if (n === LINES) return;
    if (n > LINES) throw new Error(`collector delivered ${n} events for ${LINES} lines`);
    if (dead) throw new Error(`a process exited early (${n}/${LINES} delivered)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const b = brokers();
  const file = await input();
  const topic = `bench-${Date.now().toString(36)}`;
  const env = { EDGETAIL_LOG: 'warn' };
  const rows: Row[] = [];

  const agentYaml = join(work, 'agent.yaml');
  writeFileSync(
    agentYaml,
    [
      `data_dir: ${join(work, 'agent-data')}`,
      'api: { enabled: false }',
      'sources:',
      `  edge: { type: file, include: [${file}], format: fastly_json }`,
      'sinks:',
      `  bus: { type: kafka, inputs: [edge], bootstrap_servers: ${b}, topic: ${topic}, key_field: pop, compression: gzip }`,
    ].join('\n'),
  );
  const p1 = await freePort();
  const t0 = performance.now();
  const agent = spawnMeasured(['run', '--config', agentYaml], { cwd: root, env, command: bin });
  const c1 = spawnMeasured(['run', '--config', collectorYaml('c1', b, topic, `g1-${topic}`, p1)], { cwd: root, env, command: bin });
  await waitDelivered(p1, [agent.exited, c1.exited]);
  rows.push({ scenario: 'agent → kafka → collector → blackhole (end to end)', secs: (performance.now() - t0) / 1000, procs: [['agent', agent.last()], ['collector', c1.last()]] });
  for (const p of [agent, c1]) p.child.kill('SIGTERM');
  await Promise.all([agent.exited, c1.exited]);

  const p2 = await freePort();
  const t1 = performance.now();
  const c2 = spawnMeasured(['run', '--config', collectorYaml('c2', b, topic, `g2-${topic}`, p2)], { cwd: root, env, command: bin });
  await waitDelivered(p2, [c2.exited]);
  rows.push({ scenario: 'collector alone: kafka → blackhole (topic full)', secs: (performance.now() - t1) / 1000, procs: [['collector', c2.last()]] });
  c2.child.kill('SIGTERM');
  await c2.exited;

  process.stdout.write(
    [
      `${LINES} fastly_json lines; one broker (KRaft, 127.0.0.1); times include process start and group join; node ${process.version}`,
      '',
      '| scenario | lines/s | process: peak RSS MB / CPU s |',
      '|---|---|---|',
      ...rows.map((r) => `| ${r.scenario} | ${Math.round(LINES / r.secs).toLocaleString('en-US')} | ${r.procs.map(([n, s]) => `${n} ${s.peakRssMb.toFixed(0)} / ${s.cpuSecs.toFixed(1)}`).join('; ')} |`),
    ].join('\n') + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`kafka bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
