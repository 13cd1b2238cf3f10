/** The API of a running instance: health, readiness, metrics contract, topology, auth, graceful stop. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '../../src/config/load.js';
import { startInstance } from '../../src/cli/instance.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { tempDir, waitFor } from '../helpers/context.js';

function config(dir: string, extraApi = ''): string {
  return [
    `data_dir: ${join(dir, 'data')}`,
    `api: { address: "127.0.0.1:0"${extraApi} }`,
    'sources:',
    `  edge: { type: file, include: ["${join(dir, '*.log')}"], format: fastly_json, glob_interval_ms: 100 }`,
    'transforms:',
    '  only_ok: { type: filter, inputs: [edge], condition: "status < 500" }',
    'sinks:',
    '  void: { type: blackhole, inputs: [only_ok] }',
  ].join('\n');
}

test('health, readiness, metrics and topology of a running pipeline', async () => {
  const dir = tempDir();
  writeFileSync(join(dir.path, 'a.log'), '{"timestamp":"2024-05-01T12:00:00Z","status":200,"host":"dl.k8s.io"}\n{"status":503}\nnot json\n');
  const inst = await startInstance(parseConfigText(config(dir.path), 't'), silentLogger());
  try {
    const base = `http://127.0.0.1:${inst.api!.address.port}`;
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const ready = await fetch(`${base}/ready`);
    assert.equal(ready.status, 200);
    // 3 lines read; the filter keeps only the 200 (the 503 fails the condition, and so does the unparsable line, which has no status).
    const metricsText = (await waitFor(async (): Promise<string | undefined> => {
      const t = await (await fetch(`${base}/metrics`)).text();
      return /edgetail_component_received_events_total\{component_id="edge",component_type="file"\} 3/.test(t) ? t : undefined;
    }, 'the source to count 3 events')) as string;
    for (const name of [
      'edgetail_component_received_events_total',
      'edgetail_component_sent_events_total',
      'edgetail_component_discarded_events_total',
      'edgetail_component_errors_total',
      'edgetail_buffer_events',
      'edgetail_buffer_bytes',
      'edgetail_sink_request_duration_seconds',
      'edgetail_source_lag_seconds',
    ]) {
      for (const [id, type] of [['edge', 'file'], ['only_ok', 'filter'], ['void', 'blackhole']] as const) {
        if (name.startsWith('edgetail_buffer') || name.startsWith('edgetail_sink')) if (id !== 'void') continue;
        if (name === 'edgetail_source_lag_seconds' && id !== 'edge') continue;
        assert.match(metricsText, new RegExp(`${name}(_bucket|_count)?\\{[^}]*component_id="${id}",component_type="${type}"`), `${name} for ${id}`);
      }
    }
    assert.match(metricsText, /edgetail_component_sent_events_total\{component_id="only_ok",component_type="filter"\} 1\b/);
    const topo = (await (await fetch(`${base}/api/topology`)).json()) as { sources: Array<{ id: string }>; transforms: Array<{ id: string }>; sinks: Array<{ id: string }> };
    assert.deepEqual([topo.sources[0]!.id, topo.transforms[0]!.id, topo.sinks[0]!.id], ['edge', 'only_ok', 'void']);
    const notFound = await fetch(`${base}/nope`);
    assert.equal(notFound.status, 404);
  } finally {
    await inst.stop(5000);
    dir.cleanup();
  }
});

test('with api.auth_token set, everything but /health and /ready needs the bearer token; the token never shows', async () => {
  const dir = tempDir();
  const token = 's3cr3t-token-value';
  const inst = await startInstance(parseConfigText(config(dir.path, ', auth_token: "${TOKEN}"'), 't', { TOKEN: token }), silentLogger());
  try {
    const base = `http://127.0.0.1:${inst.api!.address.port}`;
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    assert.equal((await fetch(`${base}/metrics`)).status, 401);
    assert.equal((await fetch(`${base}/api/topology`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    const ok = await fetch(`${base}/api/topology`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.ok(!(await ok.text()).includes(token));
    assert.equal((await fetch(`${base}/api/topology?token=${token}`)).status, 200);
  } finally {
    await inst.stop(5000);
    dir.cleanup();
  }
});

test('a non-loopback api.address without a token refuses to start', async () => {
  const dir = tempDir();
  const text = config(dir.path).replace('127.0.0.1:0', '0.0.0.0:0');
  await assert.rejects(startInstance(parseConfigText(text, 't'), silentLogger()), /api\.auth_token: required when api\.address \(0\.0\.0\.0:0\) is not a loopback address/);
  dir.cleanup();
});
