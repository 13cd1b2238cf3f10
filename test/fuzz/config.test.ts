/**
 * Property-based fuzzing of the config loader: YAML parse + ${ENV} interpolation + schema and graph
 * validation (src/config). Inputs: arbitrary text and bytes; the shipped example configs with random
 * subtrees replaced, deleted or retyped (every component schema sees hostile values); hostile
 * environment values (YAML syntax, newlines, NUL, huge numbers) behind ${VAR} references.
 * Invariant: nothing throws; every problem names a key path and says something; a config is returned
 * exactly when there is no error; startInstance-style use only ever throws ConfigError.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { mergeInto, parseConfigText } from '../../src/config/load.js';
import { validateConfig } from '../../src/config/validate.js';
import type { ConfigProblem } from '../../src/core/errors.js';
import { repoRoot } from '../helpers/cli.js';

const RUNS = Number(process.env.EDGETAIL_FUZZ_RUNS ?? 300);
const EXAMPLES = join(repoRoot(), 'examples');
const bases = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => parseYaml(readFileSync(join(EXAMPLES, f), 'utf8')) as Record<string, unknown>);

function checkProblems(problems: ConfigProblem[]): void {
  for (const p of problems) {
    assert.equal(typeof p.path, 'string');
    assert.ok(p.path.length > 0, `problem without a key path: ${p.message}`);
    assert.ok(typeof p.message === 'string' && p.message.length > 0, `empty message at ${p.path}`);
    assert.ok(p.severity === 'error' || p.severity === 'warning');
  }
}

async function checkText(text: string, env: NodeJS.ProcessEnv): Promise<void> {
  const raw = parseConfigText(text, 'fuzz.yaml', env);
  checkProblems(raw.problems);
  for (const mode of ['validate', 'run'] as const) {
    const r = await validateConfig(raw, mode);
    checkProblems(r.problems);
    const errors = r.problems.some((p) => p.severity === 'error');
    if (errors) assert.equal(r.config, undefined, 'config returned with errors');
    // `validate` downgrades problems an unset ${VAR} explains to warnings (DESIGN.md), so only `run`
    // promises the converse: no error means a config.
    if (mode === 'run') assert.equal(r.config === undefined, errors, 'no config although no error');
  }
}

/** Values of every JSON/YAML type, including the awkward ones. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 2, withNullPrototype: false, withBigInt: false, withDate: false, withMap: false, withSet: false, withTypedArray: false, withSparseArray: false, withBoxedValues: false }),
  fc.constantFrom('', '-', '0', '-1', '1e400', 1e308, -0, Number.MAX_SAFE_INTEGER + 2, '${UNSET}', '$${x}', '[', '{', '"', 'status >', '(?<x', '*', '/dev/zero', '\0', 'http://', 'https://[::1]:99999/', '127.0.0.1:0', '0.0.0.0:8686'),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

/** Every path to a value inside a tree (objects and arrays). */
function paths(tree: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (tree && typeof tree === 'object') {
    for (const [k, v] of Object.entries(tree)) {
      const p = [...prefix, Array.isArray(tree) ? Number(k) : k];
      out.push(p);
      paths(v, p, out);
    }
  }
  return out;
}

type Edit = { at: number; op: 'set' | 'delete' | 'rename'; value: unknown; name: string };

function applyEdit(tree: Record<string, unknown>, e: Edit): void {
  const all = paths(tree);
  if (all.length === 0) return;
  const p = all[e.at % all.length]!;
  let parent: Record<string | number, unknown> = tree;
  for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = p[p.length - 1]!;
  if (e.op === 'set') parent[last] = e.value;
  else if (e.op === 'delete') delete parent[last];
  else if (!Array.isArray(parent)) {
    parent[e.name] = parent[last];
    delete parent[last];
  }
}

const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('set', 'set', 'delete', 'rename') as fc.Arbitrary<Edit['op']>,
  value: hostileValue,
  name: fc.constantFrom('type', 'inputs', '__proto__', 'constructor', 'x', 'tls', 'auth_token', 'a b', ''),
});

const envValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('a\n- b: {', '}: ]', '"', "'", '&a *a', '!!binary x', '1e400', '999999999999999999999999', 'true', '\0', '${OTHER}', '$${X}', '\n\n'),
);

describe('fuzz: config loader', () => {
  test('arbitrary text never throws; every problem has a key path', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('utf8'))), async (text) => {
        await checkText(text, {});
      }),
      { numRuns: RUNS },
    );
  });

  test('example configs with random edits: nothing throws, problems name their key paths', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(bases.length - 1), fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean(), async (which, edits, asJson) => {
        const tree = structuredClone(bases[which]!);
        for (const e of edits) applyEdit(tree, e);
        let text: string;
        try {
          text = asJson ? JSON.stringify(tree) : toYaml(tree);
        } catch {
          return; // not representable (e.g. a cyclic or exotic value): not an input a user can write
        }
        await checkText(text, { SPLUNK_HEC_TOKEN: 'x', DD_API_KEY: 'y', KAFKA_BROKERS: '127.0.0.1:9092' });
      }),
      { numRuns: RUNS },
    );
  });

  test('hostile environment values never change the structure or throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(bases.length - 1), envValue, async (which, value) => {
        const text = readFileSync(join(EXAMPLES, readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'))[which]!), 'utf8');
        const env: NodeJS.ProcessEnv = {};
        for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) env[m[1]!] = value;
        await checkText(text, env);
        // Injection check: the value stays one scalar, it never adds keys.
        const raw = parseConfigText('api: { auth_token: "${T}" }\nsinks: {}\n', 'fuzz.yaml', { T: value });
        assert.deepEqual(Object.keys(raw.tree).sort(), ['api', 'sinks']);
        assert.deepEqual(Object.keys(raw.tree.api as object), ['auth_token']);
      }),
      { numRuns: RUNS },
    );
  });

  test('two files merged: duplicates are problems with paths, never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(bases.length - 1), fc.nat(bases.length - 1), edit, async (a, b, e) => {
        const t1 = structuredClone(bases[a]!);
        const t2 = structuredClone(bases[b]!);
        applyEdit(t2, e);
        const problems: ConfigProblem[] = [];
        const merged: Record<string, unknown> = {};
        mergeInto(merged, t1, problems);
        mergeInto(merged, t2, problems);
        checkProblems(problems);
        const r = await validateConfig({ tree: merged, unset: [], problems }, 'validate');
        checkProblems(r.problems);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });
});
