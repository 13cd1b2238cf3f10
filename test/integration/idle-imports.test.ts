/**
 * What a running agent holds in memory starts with what it imports: an agent with a file source, a
 * splunk_hec_logs sink and the API on (the idle bench, bench/latency.ts) must not load the other
 * components, the WebSocket library, the /live filter compiler (filtrex) or the other subcommands'
 * modules until something uses them; a /live client with a filter then loads them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { repoRoot } from '../helpers/cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an idle file → HEC agent imports only what its config and the API need; /live loads the rest on demand', async () => {
  const root = repoRoot();
  const dir = mkdtempSync(join(tmpdir(), 'edgetail-idle-imports-'));
  const log = join(dir, 'loaded.txt');
  writeFileSync(log, '');
  writeFileSync(join(dir, 'quiet.log'), '{"timestamp":"2024-05-01T12:00:00Z","host":"a"}\n');
  writeFileSync(
    join(dir, 'edgetail.yaml'),
    [
      `data_dir: ${JSON.stringify(join(dir, 'data'))}`,
      'api: { address: "127.0.0.1:0" }',
      'sources:',
      `  edge: { type: file, include: [${JSON.stringify(join(dir, 'quiet.log'))}], format: fastly_json }`,
      'sinks:',
      '  hec: { type: splunk_hec_logs, endpoint: "http://127.0.0.1:9", token: t, inputs: [edge] }',
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--import', new URL('../helpers/load-log.js', import.meta.url).href, join(root, 'bin', 'edgetail.js'), 'run', '--config', join(dir, 'edgetail.yaml')], {
    env: { ...process.env, EDGETAIL_LOG: 'info', EDGETAIL_LOAD_LOG: log },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    let address: string | undefined;
    for (let i = 0; i < 200 && address === undefined; i++) {
      address = /"address":"([^"]+)","tls":false,"msg":"api listening"/.exec(stderr)?.[1];
      if (address === undefined) await sleep(50);
    }
    assert.ok(address, `the API did not come up:\n${stderr}`);
    await sleep(500); // the first batch, healthchecks
    const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    assert.ok(loaded.some((u) => u.endsWith('/sinks/splunk_hec_logs/sink.js')), loaded.join('\n'));
    assert.ok(loaded.some((u) => u.endsWith('/src/sources/file/source.js')), loaded.join('\n'));
    const unexpected = loaded.filter(
      (u) =>
        (/\/sinks\/[^/]+\//.test(u) && !u.includes('/sinks/splunk_hec_logs/') && !u.includes('/node_modules/')) ||
        (/\/src\/sources\/[^/]+\//.test(u) && !u.includes('/src/sources/file/')) ||
        (u.includes('/src/transforms/') && !u.endsWith('/src/transforms/catalog.js')) ||
        /\/src\/(core\/expression|live\/feed-filter|cli\/(tap|backfill|generate|demo-config))\.js$/.test(u) ||
        /\/node_modules\/(ws|filtrex|cli-progress|kafkajs|@aws-sdk|@opentelemetry|@datadog)\//.test(u),
    );
    assert.deepEqual(unexpected, []);

    // A /live client with a filter: ws and the filter compiler load, and the filter works.
    const ws = new WebSocket(`ws://${address}/live`, 'edgetail.v1');
    const msgs: Array<{ type: string; filter?: unknown; message?: string }> = [];
    ws.on('message', (d) => msgs.push(JSON.parse(String(d))));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ type: 'filter', filter: { pop: 'IAD' } }));
    for (let i = 0; i < 100 && !msgs.some((m) => m.type === 'snapshot' && m.filter !== null); i++) await sleep(50);
    ws.close();
    assert.ok(msgs.some((m) => m.type === 'snapshot' && JSON.stringify(m.filter) === '{"pop":"IAD"}'), JSON.stringify(msgs));
    const after = readFileSync(log, 'utf8');
    assert.match(after, /\/node_modules\/ws\//);
    assert.match(after, /\/src\/live\/feed-filter\.js/);
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
