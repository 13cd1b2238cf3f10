import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { datadogLogsSink } from '../../../../sinks/datadog_logs/index.js';
import { datadogMetricsSink } from '../../../../sinks/datadog_metrics/index.js';
import { repoRoot } from '../../../helpers/cli.js';

function example(dir: string): Record<string, unknown> {
  const md = readFileSync(join(repoRoot(), 'sinks', dir, 'README.md'), 'utf8');
  const block = /```yaml\n([\s\S]*?)```/.exec(md)![1]!;
  const sinks = (parse(block) as { sinks: Record<string, Record<string, unknown>> }).sinks;
  return Object.values(sinks)[0]!;
}

test('README examples of both Datadog sinks validate against their schemas', () => {
  const logs = datadogLogsSink.schema.parse(example('datadog_logs')) as { site: string; ddtags: string[]; hostname_field: string };
  assert.deepEqual([logs.site, logs.ddtags, logs.hostname_field], ['datadoghq.eu', ['env:prod', 'team:cdn'], 'node']);
  const metrics = datadogMetricsSink.schema.parse(example('datadog_metrics')) as { namespace: string; interval_secs: number };
  assert.deepEqual([metrics.namespace, metrics.interval_secs], ['fastly', 10]);
});
