// The Dockerfile's properties (no Docker engine here): parsed, not built. scripts/docker-dryrun.sh
// carries out its build steps (test/deploy/docker-dryrun.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';
import { instructions, readDockerfile, readDockerignore, stageEnv, substitute } from '../helpers/dockerfile.js';

const root = repoRoot();
const df = readDockerfile(join(root, 'Dockerfile'));
const final = df.stages[df.stages.length - 1]!;
const one = (cmd: string) => {
  const list = instructions(final, cmd);
  assert.equal(list.length, 1, `the final stage has exactly one ${cmd}`);
  return list[0]!;
};

test('multi-stage: builds with dev dependencies, runs with production dependencies only', () => {
  assert.ok(df.stages.length >= 2, 'at least a build stage and a runtime stage');
  const runs = (i: number) => instructions(df.stages[i]!, 'RUN').map((r) => r.rest).join('\n');
  const buildIdx = df.stages.findIndex((s, i) => i < df.stages.length - 1 && /npm run build/.test(runs(i)));
  assert.ok(buildIdx >= 0, 'an earlier stage runs npm run build');
  assert.match(runs(buildIdx), /npm ci(?![^\n]*--omit=dev)/, 'the build stage installs dev dependencies (npm ci without --omit=dev)');
  // The final stage's node_modules comes from a stage that installed with --omit=dev.
  const nm = instructions(final, 'COPY').find((c) => /node_modules/.test(c.rest));
  assert.ok(nm?.flags['from'], 'node_modules is copied from another stage');
  const from = df.stages.find((s) => s.name === nm.flags['from'])!;
  assert.match(instructions(from, 'RUN').map((r) => r.rest).join('\n'), /npm ci --omit=dev/);
  assert.doesNotMatch(runs(df.stages.length - 1), /npm (ci|install)/, 'no install in the final stage');
  // scripts/docker-dryrun.sh runs the build stages' RUN steps on the host: they must stay inside
  // their working folder.
  for (let i = 0; i < df.stages.length - 1; i++) assert.doesNotMatch(runs(i), /npm cache|(^|\s)\/(?!dev\/null)/m, `stage ${df.stages[i]!.name}: no npm cache commands or absolute paths`);
  for (const c of instructions(final, 'COPY')) assert.doesNotMatch(c.rest, /^(\.|src|test) /, `no source tree in the runtime image: COPY ${c.rest}`);
});

test('every stage is based on a Node 20 slim image', () => {
  for (const s of df.stages) assert.match(substitute(s.base, df.globalArgs), /^node:20(\.\d+)*-([a-z]+-)?slim$/, `stage ${s.name}: ${s.base}`);
});

test('runs as a non-root numeric user, with data_dir on a volume', () => {
  const user = one('USER').rest;
  assert.match(user, /^\d+(:\d+)?$/, 'numeric, so that Kubernetes runAsNonRoot can verify it');
  assert.notEqual(user.split(':')[0], '0');
  const vol = one('VOLUME');
  assert.deepEqual(vol.json ?? vol.rest.split(/\s+/), ['/var/lib/edgetail']);
  const run = instructions(final, 'RUN').map((r) => r.rest).join('\n');
  assert.match(run, /chown 1000:1000 \/var\/lib\/edgetail/, 'the volume is writable by the user');
  // The image's default config keeps data_dir on that volume.
  assert.ok(instructions(final, 'COPY').some((c) => c.rest === 'docker/edgetail.yaml /etc/edgetail/edgetail.yaml'));
});

test('HEALTHCHECK probes /health; ENTRYPOINT and CMD are exact', () => {
  const hc = one('HEALTHCHECK');
  assert.ok(hc.flags['interval'] && hc.flags['timeout'], 'interval and timeout set');
  assert.match(hc.rest, /^CMD /);
  const argv = JSON.parse(hc.rest.slice(4)) as string[];
  assert.equal(argv[0], 'node');
  assert.equal(argv[2], 'http://127.0.0.1:8686/health');
  assert.ok(existsSync(join(root, 'docker', 'healthcheck.mjs')));
  assert.deepEqual(one('ENTRYPOINT').json, ['edgetail']);
  assert.deepEqual(one('CMD').json, ['run', '--config', '/etc/edgetail/edgetail.yaml']);
  assert.equal(stageEnv(final)['NODE_ENV'], 'production');
});

test('.dockerignore keeps dependencies, build output, VCS and test artefacts out of the context, but not what COPY needs', () => {
  const ignore = readDockerignore(join(root, '.dockerignore'));
  for (const p of ['node_modules', 'dist', '.git', 'test-artifacts', 'test', 'data', 'bench', '.env']) assert.ok(ignore.includes(p), `${p} ignored`);
  // A COPY source that .dockerignore excludes would fail the build: check each against the patterns
  // (first path segment, or a root-level * glob).
  const ignored = (path: string) => {
    let out = false;
    for (const raw of ignore) {
      const neg = raw.startsWith('!');
      const pat = neg ? raw.slice(1) : raw;
      const re = new RegExp(`^${pat.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/|$)`);
      if (re.test(path)) out = !neg;
    }
    return out;
  };
  for (const s of df.stages) {
    for (const c of instructions(s, 'COPY')) {
      if (c.flags['from']) continue;
      const parts = c.rest.split(/\s+/).slice(0, -1);
      for (const p of parts) {
        assert.ok(existsSync(join(root, p)), `COPY source ${p} exists`);
        assert.equal(ignored(p), false, `COPY source ${p} is not excluded by .dockerignore`);
      }
    }
  }
  // The matcher itself: what it must exclude.
  assert.equal(ignored('node_modules'), true);
  assert.equal(ignored('docs/deployment.md'), true);
});
