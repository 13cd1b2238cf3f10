/** The YAML examples of the component READMEs and docs/telemetry.md validate (as `edgetail validate` does). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '../../../src/config/load.js';
import { validateConfig } from '../../../src/config/validate.js';
import { repoRoot } from '../../helpers/cli.js';

const ENV = { OTLP_TOKEN: 't', PROM_SCRAPE_TOKEN: 'p', EDGE_METRICS_TOKEN: 'e', HONEYCOMB_KEY: 'h' };

function firstYaml(rel: string): string {
  const md = readFileSync(join(repoRoot(), rel), 'utf8');
  return /```yaml\n([\s\S]*?)```/.exec(md)![1]!;
}

/** Adds what a sink-only example needs to be a whole config: a source feeding its inputs. */
function complete(yaml: string): string {
  if (/^sources:/m.test(yaml)) return yaml;
  const inputs = new Set([...yaml.matchAll(/inputs: \[([^\]]*)\]/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim())));
  return `sources:\n${[...inputs].map((i) => `  ${i}: { type: demo }`).join('\n')}\n${yaml}`;
}

for (const [rel, check] of [
  ['sinks/opentelemetry/README.md', (c: Record<string, unknown>) => assert.equal(c.protocol, 'http/protobuf')],
  ['sinks/prometheus_exporter/README.md', (c: Record<string, unknown>) => assert.equal(c.address, '0.0.0.0:9598')],
  ['src/sources/prometheus_scrape/README.md', (c: Record<string, unknown>) => assert.equal(c.interval_secs, 15)],
  ['docs/telemetry.md', undefined],
] as const) {
  test(`${rel}: the configuration example validates`, async () => {
    const raw = parseConfigText(complete(firstYaml(rel)), rel, ENV);
    const { config, problems } = await validateConfig(raw, 'validate');
    assert.deepEqual(problems.filter((p) => p.severity === 'error'), []);
    assert.ok(config);
    if (check) {
      const comp = config.components.find((x) => x.type === rel.split('/')[rel.split('/').length - 2]);
      assert.ok(comp, 'the component is in the example');
      check(comp.config);
    } else {
      assert.equal(config.telemetry?.opentelemetry.enabled, true);
      assert.equal(config.telemetry?.opentelemetry.headers['x-honeycomb-team']!.reveal(), 'h');
    }
  });
}
