import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extract } from '../../../src/transforms/extract.js';
import type { LogEvent } from '../../../src/core/event.js';
import { build, log, metric, problems, run } from './events.js';

const K8S = '^/release/(?<release>v[^/]+)/bin/(?<os>[^/]+)/(?<arch>[^/]+)/(?<artifact>[^/]+)$';

describe('extract', () => {
  test('named groups become top-level string fields (the DESIGN example)', async () => {
    const { transform } = await build(extract, { field: 'path', pattern: K8S });
    const [e] = run(transform, [log({ path: '/release/v1.27.4/bin/linux/amd64/kubectl', status: 200 })]) as LogEvent[];
    assert.deepEqual(e!.fields, { path: '/release/v1.27.4/bin/linux/amd64/kubectl', status: 200, release: 'v1.27.4', os: 'linux', arch: 'amd64', artifact: 'kubectl' });
  });

  test('non-matching, missing and non-string fields pass unchanged', async () => {
    const { transform } = await build(extract, { field: 'path', pattern: K8S });
    const events = [log({ path: '/release/stable.txt' }), log({ status: 200 }), log({ path: 42 })];
    const out = run(transform, events) as LogEvent[];
    assert.deepEqual(out.map((e) => e.fields), [{ path: '/release/stable.txt' }, { status: 200 }, { path: 42 }]);
  });

  test('existing fields are kept unless overwrite: true', async () => {
    const keep = await build(extract, { field: 'path', pattern: '^/release/(?<release>v[^/]+)/' });
    const [a] = run(keep.transform, [log({ path: '/release/v1.28.0/x', release: 'pinned' })]) as LogEvent[];
    assert.equal(a!.fields.release, 'pinned');
    const over = await build(extract, { field: 'path', pattern: '^/release/(?<release>v[^/]+)/', overwrite: true });
    const [b] = run(over.transform, [log({ path: '/release/v1.28.0/x', release: 'pinned' })]) as LogEvent[];
    assert.equal(b!.fields.release, 'v1.28.0');
  });

  test('optional groups that did not take part are not set', async () => {
    const { transform } = await build(extract, { field: 'path', pattern: '^/(?<dir>[a-z]+)(?:/(?<file>[a-z.]+))?$' });
    const out = run(transform, [log({ path: '/bin' }), log({ path: '/bin/kubectl' })]) as LogEvent[];
    assert.deepEqual(out.map((e) => e.fields), [{ path: '/bin', dir: 'bin' }, { path: '/bin/kubectl', dir: 'bin', file: 'kubectl' }]);
  });

  test('target prefixes the extracted names', async () => {
    const { transform } = await build(extract, { field: 'path', pattern: '^/release/(?<release>v[^/]+)/', target: 'k8s_' });
    const [e] = run(transform, [log({ path: '/release/v1.27.4/bin' })]) as LogEvent[];
    assert.deepEqual(e!.fields, { path: '/release/v1.27.4/bin', k8s_release: 'v1.27.4' });
  });

  test('mutates in place, metric events untouched', async () => {
    const { transform } = await build(extract, { field: 'path', pattern: K8S });
    assert.equal(transform.mutates, true);
    const m = metric('requests', 1, { path: '/release/v1/bin/linux/amd64/kubectl' });
    run(transform, [m]);
    assert.deepEqual(m.tags, { path: '/release/v1/bin/linux/amd64/kubectl' });
  });

  test('schema: the pattern must compile and have a named group', () => {
    assert.match(problems(extract, { field: 'path', pattern: '^/release/(?<release>[' })[0]!, /^pattern: invalid regular expression/);
    assert.match(problems(extract, { field: 'path', pattern: '^/release/(v[^/]+)' })[0]!, /^pattern: expected at least one named group/);
    assert.match(problems(extract, { pattern: K8S })[0]!, /^field: /);
    assert.equal(problems(extract, { field: 'path', pattern: K8S, extra: 1 }).length, 1);
    assert.deepEqual(problems(extract, { field: 'path', pattern: K8S }), []);
  });
});
