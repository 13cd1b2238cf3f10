/**
 * The README's "Configuration reference" examples are meant to compose: together they are one
 * pipeline (sources feed the transforms, the transforms feed the sinks). Merged into one config they
 * must validate as `edgetail validate` does, and every component type edgetail knows must appear.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseConfigText } from '../../../src/config/load.js';
import { validateConfig } from '../../../src/config/validate.js';
import { sourceDefs } from '../../../src/sources/index.js';
import { transformDefs } from '../../../src/transforms/index.js';
import { sinkDefs } from '../../../sinks/index.js';
import { repoRoot } from '../../helpers/cli.js';

test('README configuration reference: all examples together are one valid pipeline covering every component type', async () => {
  const md = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
  const section = md.slice(md.indexOf('## Configuration reference'), md.indexOf('## Operations'));
  assert.ok(section.length > 1000, 'the section exists');
  const merged: Record<string, Record<string, unknown>> = { sources: {}, transforms: {}, sinks: {} };
  let blocks = 0;
  for (const m of section.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    blocks++;
    const doc = parse(m[1]!) as Record<string, Record<string, unknown>>;
    for (const [top, comps] of Object.entries(doc)) {
      assert.ok(top in merged, `unexpected top-level key ${top}`);
      for (const [id, c] of Object.entries(comps)) {
        assert.equal(merged[top]![id], undefined, `component id ${id} is used twice`);
        merged[top]![id] = c;
      }
    }
  }
  assert.ok(blocks >= 15, `found ${blocks} yaml blocks`);
  // Every ${VAR} the examples use gets a value (validate leaves components with unset ones out).
  const env = Object.fromEntries([...section.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => [m[1]!, `value-of-${m[1]}`]));
  const raw = parseConfigText(stringify({ data_dir: '/tmp/edgetail-readme', ...merged }), 'README.md', env);
  const { config, problems } = await validateConfig(raw, 'validate');
  assert.deepEqual(problems.filter((p) => p.severity === 'error'), []);
  assert.ok(config);
  const used = new Set(config.components.map((c) => `${c.kind}:${c.type}`));
  const known = [...sourceDefs.map((d) => `source:${d.type}`), ...transformDefs.map((d) => `transform:${d.type}`), ...sinkDefs.map((d) => `sink:${d.type}`)];
  assert.deepEqual(known.filter((k) => !used.has(k)), [], 'every component type has an example');
});
