// charts/edgetail offline: helm lint and helm template for each mode with --kube-version, every
// rendered manifest validated strictly by kubeconform against the Kubernetes JSON schemas of the PyPI
// package kubernetes-validate, and the edgetail config embedded in each rendered ConfigMap passed to
// `edgetail validate`. Helm, kubeconform and the schemas come from `scripts/services.sh start helm`
// (built once with go install, cached). ServiceMonitor is a CRD without a bundled schema: kubeconform
// skips it (-skip ServiceMonitor) and this test checks its fields itself.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot, runEdgetail } from '../helpers/cli.js';
import { tempDir } from '../helpers/context.js';
import { startService } from '../helpers/services.js';

const root = repoRoot();
const chart = join(root, 'charts', 'edgetail');
const KUBE_VERSIONS = ['1.29.0', '1.33.0'];

interface Tools { HELM: string; KUBECONFORM: string; KUBECONFORM_SCHEMA_LOCATION: string }
let tools: Tools;
let dir: { path: string; cleanup: () => void } | undefined;

function exec(file: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { maxBuffer: 32 << 20, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

type Manifest = { kind: string; apiVersion: string; metadata: { name: string }; [k: string]: unknown };

async function render(kubeVersion: string, sets: string[]): Promise<{ text: string; docs: Manifest[] }> {
  const r = await exec(tools.HELM, ['template', 'rel', chart, '--namespace', 'edge', '--kube-version', kubeVersion, ...sets.flatMap((s) => ['--set', s])]);
  assert.equal(r.code, 0, r.stderr);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as Manifest | null).filter((d): d is Manifest => d !== null);
  return { text: r.stdout, docs };
}

async function kubeconform(kubeVersion: string, text: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return exec(tools.KUBECONFORM, ['-strict', '-summary', '-output', 'text', '-kubernetes-version', kubeVersion, '-schema-location', tools.KUBECONFORM_SCHEMA_LOCATION, '-skip', 'ServiceMonitor', '-'], text);
}

const CASES: { name: string; sets: string[]; kinds: string[] }[] = [
  { name: 'collector (defaults)', sets: [], kinds: ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Secret', 'Service', 'ServiceAccount'] },
  {
    name: 'collector with PVCs, ServiceMonitor, existing Secret, fixed replicas',
    sets: ['persistence.enabled=true', 'collector.serviceMonitor.enabled=true', 'collector.autoscaling.enabled=false', 'collector.replicas=3', 'secrets.existingSecret=edge-creds', 'apiToken.existingSecret=edge-api'],
    kinds: ['ConfigMap', 'PodDisruptionBudget', 'Service', 'ServiceAccount', 'ServiceMonitor', 'StatefulSet'],
  },
  { name: 'agent (defaults: config for sidecars)', sets: ['mode=agent'], kinds: ['ConfigMap', 'Secret', 'ServiceAccount'] },
  {
    name: 'agent with DaemonSet and the example POP pod',
    sets: ['mode=agent', 'agent.daemonset.enabled=true', 'agent.examplePod.enabled=true', 'kafka.brokers=k1:9092\\,k2:9092'],
    kinds: ['ConfigMap', 'ConfigMap', 'DaemonSet', 'Pod', 'Secret', 'ServiceAccount'],
  },
];

before(async () => {
  tools = (await startService('helm')) as unknown as Tools;
  assert.ok(tools.HELM && tools.KUBECONFORM && tools.KUBECONFORM_SCHEMA_LOCATION, 'scripts/services.sh start helm printed its lines');
  dir = tempDir('edgetail-chart-');
});
after(() => dir?.cleanup());

describe('helm lint', () => {
  for (const mode of ['collector', 'agent']) {
    test(`${mode} mode`, async () => {
      for (const v of KUBE_VERSIONS) {
        const r = await exec(tools.HELM, ['lint', chart, '--strict', '--kube-version', v, '--set', `mode=${mode}`]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
      }
    });
  }
});

describe('helm template → kubeconform (strict) → edgetail validate', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      for (const v of KUBE_VERSIONS) {
        const { text, docs } = await render(v, c.sets);
        assert.deepEqual(docs.map((d) => d.kind).sort(), c.kinds);
        const k = await kubeconform(v, text);
        assert.equal(k.code, 0, k.stdout + k.stderr);
        const expectValid = c.kinds.filter((x) => x !== 'ServiceMonitor').length;
        assert.match(k.stdout, new RegExp(`Valid: ${expectValid}, Invalid: 0, Errors: 0, Skipped: ${c.kinds.length - expectValid}`));
        // The embedded edgetail config passes `edgetail validate`.
        const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'rel-edgetail') as Manifest & { data: Record<string, string> };
        const file = join(dir!.path, `${c.name.replace(/\W+/g, '-')}-${v}.yaml`);
        writeFileSync(file, cm.data['edgetail.yaml']!);
        const val = await runEdgetail(['validate', '--config', file]);
        assert.equal(val.code, 0, val.stderr);
        assert.match(val.stdout, /: valid/);
      }
    });
  }
});

describe('rendered workloads', () => {
  type Container = { name: string; image: string; args: string[]; env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string; optional?: boolean } } }[]; livenessProbe: { httpGet: { path: string } }; readinessProbe: { httpGet: { path: string } }; securityContext: Record<string, unknown>; volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[] };
  type PodSpec = { containers: Container[]; volumes: { name: string; emptyDir?: unknown; hostPath?: { path: string } }[]; securityContext: Record<string, unknown> };
  const podSpec = (d: Manifest): PodSpec => (d.kind === 'Pod' ? (d['spec'] as PodSpec) : (d['spec'] as { template: { spec: PodSpec } }).template.spec);

  test('collector: probes, security context, secrets via env, Kafka brokers, emptyDir data_dir', async () => {
    const { docs } = await render('1.33.0', ['secrets.existingSecret=edge-creds', 'kafka.brokers=b1:9092\\,b2:9092']);
    const spec = podSpec(docs.find((d) => d.kind === 'Deployment')!);
    const c = spec.containers[0]!;
    assert.deepEqual(c.args, ['run', '--config', '/etc/edgetail/edgetail.yaml']);
    assert.equal(c.livenessProbe.httpGet.path, '/health');
    assert.equal(c.readinessProbe.httpGet.path, '/ready');
    assert.equal(spec.securityContext['runAsNonRoot'], true);
    assert.equal(spec.securityContext['runAsUser'], 1000);
    assert.equal(c.securityContext['readOnlyRootFilesystem'], true);
    assert.equal(c.securityContext['allowPrivilegeEscalation'], false);
    const env = new Map(c.env.map((e) => [e.name, e]));
    assert.equal(env.get('KAFKA_BROKERS')!.value, 'b1:9092,b2:9092');
    for (const [name, key] of [['SPLUNK_HEC_TOKEN', 'splunk-hec-token'], ['DD_API_KEY', 'dd-api-key'], ['FASTLY_API_TOKEN', 'fastly-api-token'], ['AWS_ACCESS_KEY_ID', 'aws-access-key-id'], ['AWS_SECRET_ACCESS_KEY', 'aws-secret-access-key']] as const) {
      assert.deepEqual(env.get(name)!.valueFrom!.secretKeyRef, { name: 'edge-creds', key, optional: true }, name);
    }
    assert.deepEqual(env.get('EDGETAIL_API_TOKEN')!.valueFrom!.secretKeyRef, { name: 'rel-edgetail-api-token', key: 'api-token' });
    assert.ok(spec.volumes.find((v) => v.name === 'data')!.emptyDir, 'data_dir on an emptyDir without persistence');
    assert.equal(c.volumeMounts.find((m) => m.name === 'data')!.mountPath, '/var/lib/edgetail');
    // Without an existing Secret no secret env is rendered (except the API token).
    const plain = podSpec((await render('1.33.0', [])).docs.find((d) => d.kind === 'Deployment')!).containers[0]!;
    assert.deepEqual(plain.env.map((e) => e.name).sort(), ['EDGETAIL_API_TOKEN', 'KAFKA_BROKERS', 'KAFKA_TOPIC']);
  });

  test('collector with persistence: a StatefulSet with a PVC template for data_dir; HPA targets it; ServiceMonitor sends the token', async () => {
    const { docs } = await render('1.33.0', ['persistence.enabled=true', 'persistence.size=20Gi', 'collector.serviceMonitor.enabled=true']);
    const sts = docs.find((d) => d.kind === 'StatefulSet')!;
    const claims = (sts['spec'] as { volumeClaimTemplates: { metadata: { name: string }; spec: { resources: { requests: { storage: string } } } }[] }).volumeClaimTemplates;
    assert.equal(claims[0]!.metadata.name, 'data');
    assert.equal(claims[0]!.spec.resources.requests.storage, '20Gi');
    assert.equal(podSpec(sts).volumes.find((v) => v.name === 'data'), undefined, 'no emptyDir shadows the claim');
    const hpa = docs.find((d) => d.kind === 'HorizontalPodAutoscaler')!;
    assert.deepEqual((hpa['spec'] as { scaleTargetRef: unknown }).scaleTargetRef, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'rel-edgetail' });
    const sm = docs.find((d) => d.kind === 'ServiceMonitor')!;
    assert.equal(sm.apiVersion, 'monitoring.coreos.com/v1');
    const ep = (sm['spec'] as { endpoints: { port: string; path: string; authorization: { credentials: { name: string; key: string } } }[] }).endpoints[0]!;
    assert.deepEqual([ep.port, ep.path, ep.authorization.credentials.name, ep.authorization.credentials.key], ['api', '/metrics', 'rel-edgetail-api-token', 'api-token']);
  });

  test('agent example POP pod: edge server and agent share an emptyDir log volume (agent read-only)', async () => {
    const { docs } = await render('1.33.0', ['mode=agent', 'agent.examplePod.enabled=true']);
    const spec = podSpec(docs.find((d) => d.kind === 'Pod')!);
    assert.deepEqual(spec.containers.map((c) => c.name), ['edge-server', 'edgetail']);
    const logs = spec.volumes.find((v) => v.name === 'edge-logs')!;
    assert.ok(logs.emptyDir);
    const [edge, agent] = spec.containers as [Container, Container];
    assert.equal(edge.volumeMounts.find((m) => m.name === 'edge-logs')!.mountPath, '/var/log/edge');
    assert.deepEqual(agent.volumeMounts.find((m) => m.name === 'edge-logs'), { name: 'edge-logs', mountPath: '/var/log/edge', readOnly: true });
    // A sink outage (/ready → 503) must not make the POP pod unready: the sidecar's readiness is /health.
    assert.equal(agent.readinessProbe.httpGet.path, '/health');
    assert.equal(agent.livenessProbe.httpGet.path, '/health');
    // The edge server's nginx writes where the agent's default config tails.
    const conf = (docs.find((d) => d.metadata.name === 'rel-edgetail-example-edge') as Manifest & { data: Record<string, string> }).data['nginx.conf']!;
    assert.match(conf, /access_log \/var\/log\/edge\/access\.log combined;/);
    const ds = podSpec((await render('1.33.0', ['mode=agent', 'agent.daemonset.enabled=true'])).docs.find((d) => d.kind === 'DaemonSet')!);
    assert.equal(ds.volumes.find((v) => v.name === 'edge-logs')!.hostPath!.path, '/var/log/edge');
  });
});

describe('bad values fail with a message', () => {
  test('replicas: "x" is refused by values.schema.json', async () => {
    const r = await exec(tools.HELM, ['template', 'rel', chart, '--kube-version', '1.33.0', '--set-string', 'collector.replicas=x']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /values don't meet the specifications of the schema/);
    assert.match(r.stderr, /at '\/collector\/replicas': got string, want integer/);
  });

  test('an unknown mode and an unknown key are refused by the schema', async () => {
    const mode = await exec(tools.HELM, ['template', 'rel', chart, '--kube-version', '1.33.0', '--set', 'mode=sidecar']);
    assert.notEqual(mode.code, 0);
    assert.match(mode.stderr, /at '\/mode': value must be one of 'collector', 'agent'/);
    const key = await exec(tools.HELM, ['template', 'rel', chart, '--kube-version', '1.33.0', '--set', 'collector.replica=2']);
    assert.notEqual(key.code, 0);
    assert.match(key.stderr, /additional properties 'replica' not allowed/);
  });

  test('a config whose data_dir is not the mounted volume is refused', async () => {
    const r = await exec(tools.HELM, ['template', 'rel', chart, '--kube-version', '1.33.0', '--set', 'collector.config.data_dir=/data']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /config data_dir \(\/data\) must be persistence\.mountPath \(\/var\/lib\/edgetail\)/);
  });

  test('kubeconform rejects what Kubernetes would (the check can fail)', async () => {
    const { text } = await render('1.33.0', []);
    const broken = text.replace('automountServiceAccountToken: false', 'automountServiceAccountTokens: false');
    assert.notEqual(broken, text);
    const k = await kubeconform('1.33.0', broken);
    assert.notEqual(k.code, 0);
    assert.match(k.stdout, /ServiceAccount rel-edgetail is invalid.*additional properties 'automountServiceAccountTokens' not allowed/);
  });
});

test('the complete values file of docs/deployment.md renders, conforms and embeds a valid config', async () => {
  const doc = readFileSync(join(root, 'docs', 'deployment.md'), 'utf8');
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const values = blocks.find((b) => b.startsWith('mode: collector'));
  assert.ok(values, 'the values example is in the doc');
  const file = join(dir!.path, 'doc-values.yaml');
  writeFileSync(file, values);
  const r = await exec(tools.HELM, ['template', 'rel', chart, '--kube-version', '1.33.0', '-f', file]);
  assert.equal(r.code, 0, r.stderr);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as Manifest | null).filter((d): d is Manifest => d !== null);
  assert.deepEqual(docs.map((d) => d.kind).sort(), ['ConfigMap', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Secret', 'Service', 'ServiceAccount', 'ServiceMonitor', 'StatefulSet']);
  const k = await kubeconform('1.33.0', r.stdout);
  assert.equal(k.code, 0, k.stdout + k.stderr);
  const cm = docs.find((d) => d.kind === 'ConfigMap') as Manifest & { data: Record<string, string> };
  const cfg = join(dir!.path, 'doc-config.yaml');
  writeFileSync(cfg, cm.data['edgetail.yaml']!);
  assert.match(cm.data['edgetail.yaml']!, /splunk_hec_logs/);
  const val = await runEdgetail(['validate', '--config', cfg]);
  assert.equal(val.code, 0, val.stderr);
});

test('every examples/*.yaml and the image default config pass edgetail validate', async () => {
  const files = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => join(root, 'examples', f));
  assert.ok(files.length >= 4);
  for (const f of [...files, join(root, 'docker', 'edgetail.yaml')]) {
    const r = await runEdgetail(['validate', '--config', f]);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
  }
});
