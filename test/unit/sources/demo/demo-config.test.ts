// The demo's pipeline (src/cli/demo-config.ts) and its file-based twin (examples/cutover.yaml).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { demoConfig, RELEASE_PATH_PATTERN } from '../../../../src/cli/demo-config.js';
import { parseConfigText } from '../../../../src/config/load.js';
import { validateConfig } from '../../../../src/config/validate.js';
import { packageRoot } from '../../../../src/core/paths.js';
import { USER_AGENT_RULES } from '../../../../src/transforms/classify/index.js';
import { startInstance } from '../../../../src/cli/instance.js';
import { silentLogger } from '../../../../src/telemetry/logger.js';
import { tempDir, waitFor } from '../../../helpers/context.js';
import { readdirSync } from 'node:fs';

type Tree = { sources: Record<string, Record<string, unknown>>; transforms: Record<string, Record<string, unknown>>; sinks: Record<string, Record<string, unknown>> };

const example = () => readFileSync(join(packageRoot(), 'examples', 'cutover.yaml'), 'utf8');

describe('demo pipeline config', () => {
  test('demoConfig validates (run mode) with the real schemas', async () => {
    const text = demoConfig({ port: 18686, dataDir: '/tmp/edgetail demo "x"' });
    const r = await validateConfig(parseConfigText(text, 'demo'), 'run');
    assert.deepEqual(r.problems, []);
    assert.ok(r.config, 'valid');
    assert.equal(r.config.api.address, '127.0.0.1:18686');
    assert.equal(r.config.dataDir, '/tmp/edgetail demo "x"');
    const tree = parseYaml(text) as Tree;
    assert.equal(tree.sources.cutover!.type, 'demo');
    assert.equal(tree.sinks.edge_logs!.path, '/tmp/edgetail demo "x"/edge-%Y-%m-%d.ndjson');
    assert.deepEqual(tree.sinks.origin_logs!.inputs, ['by_layer.origin']);
  });

  test('examples/cutover.yaml validates and mirrors the demo pipeline', async () => {
    const text = example();
    const r = await validateConfig(parseConfigText(text, 'examples/cutover.yaml'), 'validate');
    assert.deepEqual(r.problems, []);
    const ex = parseYaml(text) as Tree;
    const demo = parseYaml(demoConfig({ port: 8686, dataDir: '/d' })) as Tree;
    for (const id of ['k8s', 'clients', 'cdn', 'by_layer']) {
      const { inputs: _a, ...exT } = ex.transforms[id]!;
      const { inputs: _b, ...demoT } = demo.transforms[id]!;
      assert.deepEqual(exT, demoT, `transform ${id}`);
    }
    assert.deepEqual(ex.transforms.clients!.rules, USER_AGENT_RULES.map((r) => ({ pattern: r.pattern, value: r.value })));
  });

  test('the release pattern reads edge and origin paths alike', () => {
    const re = new RegExp(RELEASE_PATH_PATTERN);
    const want = { release: 'v1.30.8', os: 'linux', arch: 'amd64', artifact: 'kubectl' };
    assert.deepEqual({ ...re.exec('/release/v1.30.8/bin/linux/amd64/kubectl')!.groups }, want);
    assert.deepEqual({ ...re.exec('/kubernetes-release/release/v1.30.8/bin/linux/amd64/kubectl')!.groups }, want);
    assert.deepEqual({ ...re.exec('/release/v1.25.12/bin/windows/amd64/kubectl.exe')!.groups }, { release: 'v1.25.12', os: 'windows', arch: 'amd64', artifact: 'kubectl.exe' });
    assert.equal(re.exec('/release/stable.txt'), null);
    assert.equal(re.exec('/other-bucket/release/v1.30.8/bin/linux/amd64/kubectl'), null);
  });

  test('the demo runs through the real pipeline into one file per layer', async () => {
    const dir = tempDir();
    const inst = await startInstance(parseConfigText(demoConfig({ port: 0, dataDir: dir.path, rate: 3000 }), 'demo'), silentLogger());
    try {
      const read = (prefix: string) => {
        const f = readdirSync(dir.path).filter((n) => n.startsWith(prefix) && n.endsWith('.ndjson'));
        return f.flatMap((n) => readFileSync(join(dir.path, n), 'utf8').split('\n').filter((l) => l.endsWith('}')).map((l) => JSON.parse(l) as Record<string, unknown>));
      };
      const origin = (await waitFor(() => {
        const o = read('origin-');
        return o.some((e) => e.via_cdn === true) && o.some((e) => e.via_cdn === false) ? o : false;
      }, 'origin lines with and without via_cdn')) as Record<string, unknown>[];
      const edge = (await waitFor(() => {
        const e = read('edge-');
        return e.length > 50 ? e : false;
      }, 'edge lines')) as Record<string, unknown>[];
      for (const e of origin) {
        assert.equal(e.layer, 'origin');
        assert.equal(typeof e.client_kind, 'string');
        assert.match(String(e.event_id), /^cutover:1:\d+$/);
      }
      for (const e of edge) {
        assert.equal(e.layer, 'edge');
        assert.equal(e.via_cdn, undefined, 'ip_match looks at origin lines only');
      }
      const k = origin.find((e) => typeof e.release === 'string');
      assert.ok(k && typeof k.os === 'string' && typeof k.arch === 'string' && typeof k.artifact === 'string', 'release fields on origin lines');
      assert.ok(edge.some((e) => typeof e.release === 'string'), 'release fields on edge lines');
    } finally {
      await inst.stop(5000);
      dir.cleanup();
    }
  });
});
