/** archivePlan / deadLetterPlan: which source the archives replace, and what is left of the graph. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../../src/config/load.js';
import { validateConfig, type ValidatedConfig } from '../../../src/config/validate.js';
import { archivePlan, deadLetterPlan, PlanError } from '../../../src/cli/backfill/plan.js';
import { Tally } from '../../../src/cli/backfill/tally.js';

async function cfg(yaml: string): Promise<ValidatedConfig> {
  const { config, problems } = await validateConfig(parseConfigText(yaml, 'test'), 'run');
  assert.ok(config, JSON.stringify(problems));
  return config;
}

const TWO_SOURCES = `
data_dir: /tmp/x
sources:
  edge: { type: file, include: [/var/log/edge/*.log], format: combined, max_batch_events: 500 }
  fleet: { type: kafka, bootstrap_servers: [127.0.0.1:9092], topics: [t], group_id: g }
transforms:
  only5xx: { type: filter, inputs: [edge, fleet], condition: 'status >= 500' }
  fromfleet: { type: filter, inputs: [fleet], condition: 'status >= 400' }
sinks:
  a: { type: blackhole, inputs: [only5xx] }
  b: { type: blackhole, inputs: [fromfleet] }
  c: { type: blackhole, inputs: [edge] }
`;

test('the only file source is replaced; components fed only by the others are left out', async () => {
  const c = await cfg(TWO_SOURCES);
  const p = archivePlan(c, ['/a.log'], new Tally(), {});
  assert.equal(p.sourceId, 'edge');
  assert.equal(p.format, 'combined');
  const ids = p.config.components.map((x) => `${x.kind}:${x.id}:${x.type}:${x.inputs.join('+')}`).sort();
  assert.deepEqual(ids, ['sink:a:blackhole:only5xx', 'sink:c:blackhole:edge', 'source:edge:backfill:', 'transform:only5xx:filter:edge']);
});

test('--source picks another one; --format overrides; unknown names are refused', async () => {
  const c = await cfg(TWO_SOURCES);
  const p = archivePlan(c, ['/a.log'], new Tally(), { source: 'fleet', format: 'fastly_json' });
  assert.equal(p.sourceId, 'fleet');
  assert.equal(p.format, 'fastly_json');
  assert.deepEqual(p.config.components.filter((x) => x.kind === 'sink').map((x) => x.id).sort(), ['a', 'b']);
  assert.throws(() => archivePlan(c, ['/a.log'], new Tally(), { source: 'nope' }), PlanError);
  assert.throws(() => archivePlan(c, ['/a.log'], new Tally(), { format: 'xml' }), /--format xml/);
});

test('several sources of which none or two are files: --source is required', async () => {
  const c = await cfg(TWO_SOURCES.replace('type: file, include: [/var/log/edge/*.log], format: combined, max_batch_events: 500', 'type: demo'));
  assert.throws(() => archivePlan(c, ['/a.log'], new Tally(), {}), /name the one the archives replace with --source/);
});

test('dead-letter plan: one replay source per sink, nothing else', async () => {
  const c = await cfg(TWO_SOURCES);
  const p = deadLetterPlan(c, new Map([['a', ['/d/a/2024-05-01.ndjson']]]), new Tally());
  assert.deepEqual(p.components.map((x) => `${x.kind}:${x.id}:${x.inputs.join('+')}`), ['source:dead_letter_a:', 'sink:a:dead_letter_a']);
  assert.throws(() => deadLetterPlan(c, new Map([['zz', []]]), new Tally()), /sink zz: not in the config/);
});
