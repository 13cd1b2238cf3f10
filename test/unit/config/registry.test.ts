/**
 * The component registry loads definitions on demand (src/config/registry.ts): the catalogs must
 * name every component of the index files under its own type, validation must still check every
 * type's keys, and a config must import only the component modules it names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComponentKind } from '../../../src/core/component.js';
import { parseConfigText } from '../../../src/config/load.js';
import { knownTypes, loadAllDefs, loadDef } from '../../../src/config/registry.js';
import { validateConfig } from '../../../src/config/validate.js';
import { sourceDefs } from '../../../src/sources/index.js';
import { transformDefs } from '../../../src/transforms/index.js';
import { sinkDefs } from '../../../sinks/index.js';
import { repoRoot } from '../../helpers/cli.js';

const SECTION: Record<ComponentKind, string> = { source: 'sources', transform: 'transforms', sink: 'sinks' };

test('the catalogs list exactly the components of the index files, each under its own type', async () => {
  const indexed: Record<ComponentKind, Array<{ kind: string; type: string }>> = { source: sourceDefs, transform: transformDefs, sink: sinkDefs };
  for (const kind of ['source', 'transform', 'sink'] as const) {
    assert.deepEqual(knownTypes(kind), indexed[kind].map((d) => d.type).sort(), `${kind} catalog vs index`);
    for (const type of knownTypes(kind)) {
      const def = await loadDef(kind, type);
      assert.ok(def, `${kind} ${type} loads`);
      assert.equal(def.kind, kind);
      assert.equal(def.type, type);
      // The same object as the index file's (one module instance).
      assert.ok(indexed[kind].includes(def), `${kind} ${type} is the index's definition`);
    }
  }
  assert.equal(await loadDef('sink', 'nope'), undefined);
  assert.equal(await loadDef('source', 'constructor'), undefined);
  assert.equal(await loadDef('transform', '__proto__'), undefined);
  assert.equal((await loadAllDefs()).length, sourceDefs.length + transformDefs.length + sinkDefs.length);
});

test('validate names an unknown key by its path in every component type', async () => {
  for (const kind of ['source', 'transform', 'sink'] as const) {
    for (const type of knownTypes(kind)) {
      const comp = kind === 'source' ? { type } : { type, inputs: ['edge'] };
      const tree = { sources: { edge: { type: 'demo' } }, sinks: { out: { type: 'blackhole', inputs: ['edge'] } }, [SECTION[kind]]: { under_test: { ...comp, bogus_key: 1 } } };
      const { problems } = await validateConfig({ tree, unset: [], problems: [] }, 'validate');
      const path = `${SECTION[kind]}.under_test.bogus_key`;
      assert.ok(
        problems.some((p) => p.path === path && p.message === 'unknown key' && p.severity === 'error'),
        `${kind} ${type}: ${JSON.stringify(problems)}`,
      );
    }
  }
});

test('an unknown type still lists every known type', async () => {
  const raw = parseConfigText('sources:\n  a: { type: nope }\nsinks:\n  b: { type: nada, inputs: [a] }\n', 't.yaml');
  const { problems } = await validateConfig(raw, 'validate');
  assert.ok(problems.some((p) => p.path === 'sources.a.type' && p.message === `unknown source type "nope" (known: ${knownTypes('source').join(', ')})`), JSON.stringify(problems));
  assert.ok(problems.some((p) => p.path === 'sinks.b.type' && p.message.includes('kafka, live, opentelemetry')), JSON.stringify(problems));
});

test('edgetail validate imports only the component modules its config names', () => {
  const root = repoRoot();
  const dir = mkdtempSync(join(tmpdir(), 'edgetail-registry-'));
  try {
    const config = join(dir, 'edgetail.yaml');
    writeFileSync(config, 'sources:\n  edge: { type: file, include: [/tmp/none.log] }\nsinks:\n  out: { type: blackhole, inputs: [edge] }\n');
    const log = join(dir, 'loaded.txt');
    writeFileSync(log, '');
    const r = spawnSync(process.execPath, ['--import', new URL('../../helpers/load-log.js', import.meta.url).href, join(root, 'bin', 'edgetail.js'), 'validate', '--config', config], {
      env: { ...process.env, EDGETAIL_LOAD_LOG: log },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    // The hooks work: the named components were loaded through them.
    assert.ok(loaded.some((u) => u.endsWith('/src/sources/file/index.js')), loaded.join('\n'));
    assert.ok(loaded.some((u) => u.endsWith('/sinks/blackhole/index.js')), loaded.join('\n'));
    const others = loaded.filter(
      (u) =>
        (/\/sinks\/[^/]+\//.test(u) && !u.includes('/sinks/blackhole/') && !u.includes('/node_modules/')) ||
        (/\/src\/sources\/[^/]+\//.test(u) && !u.includes('/src/sources/file/')) ||
        (u.includes('/src/transforms/') && !u.endsWith('/src/transforms/catalog.js')) ||
        /\/node_modules\/(@aws-sdk|@opentelemetry|@datadog|kafkajs|ws|cli-progress)\//.test(u),
    );
    assert.deepEqual(others, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
