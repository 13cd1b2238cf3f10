import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transformDefs, USER_AGENT_RULES } from '../../../src/transforms/index.js';
import { parseConfigText } from '../../../src/config/load.js';
import { validateConfig } from '../../../src/config/validate.js';

test('every transform of this package is registered under its CONTRACT type name', () => {
  const types = transformDefs.map((d) => d.type).sort();
  assert.deepEqual(types, ['aggregate', 'classify', 'extract', 'filter', 'ip_match', 'redact', 'remap', 'route', 'sample']);
  for (const d of transformDefs) assert.equal(d.kind, 'transform');
});

test('every schema checks its type literal, needs inputs and rejects unknown keys', () => {
  const minimal: Record<string, Record<string, unknown>> = {
    filter: { condition: 'status >= 500' },
    route: { route: { errors: 'status >= 500' } },
    sample: { rate: 10 },
    redact: {},
    extract: { field: 'path', pattern: '(?<x>.)' },
    classify: { field: 'user_agent', target: 'client_kind', rules: USER_AGENT_RULES },
    remap: {},
    ip_match: {},
    aggregate: { metrics: [{ name: 'requests', kind: 'counter' }] },
  };
  for (const d of transformDefs) {
    const base = { type: d.type, inputs: ['src'], ...minimal[d.type] };
    assert.equal(d.schema.safeParse(base).success, true, `${d.type} minimal config`);
    assert.equal(d.schema.safeParse({ ...base, type: 'other' }).success, false, `${d.type} type literal`);
    assert.equal(d.schema.safeParse({ ...base, inputs: [] }).success, false, `${d.type} inputs`);
    assert.equal(d.schema.safeParse({ ...base, unknown_key: 1 }).success, false, `${d.type} strict`);
  }
});

test('edgetail validate reports a bad condition / pattern with its full key path', async () => {
  const raw = parseConfigText(
    [
      'sources:',
      '  edge: { type: demo }',
      'transforms:',
      '  errors_only: { type: filter, inputs: [edge], condition: "status >= 500 &&" }',
      '  k8s: { type: extract, inputs: [edge], field: path, pattern: "^/release/(?<release>[" }',
      '  split: { type: route, inputs: [edge], route: { bad: "pop in (" } }',
      'sinks:',
      '  out: { type: blackhole, inputs: [errors_only, k8s, split.bad] }',
    ].join('\n'),
    'test.yaml',
    {},
  );
  const { problems } = await validateConfig(raw, 'validate');
  // Problems at a key inside a transform (graph-level problems name only the component).
  const mine = problems.filter((p) => /^transforms\.[^.]+\./.test(p.path));
  assert.deepEqual(mine.map((p) => p.path).sort(), ['transforms.errors_only.condition', 'transforms.k8s.pattern', 'transforms.split.route.bad']);
  const cond = mine.find((p) => p.path === 'transforms.errors_only.condition')!;
  assert.match(cond.message, /unexpected end of condition .* at column 17 of condition "status >= 500 &&"/);
});
