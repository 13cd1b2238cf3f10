import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { USER_AGENT_RULES } from '../../../../src/transforms/classify/index.js';
import { classifySchema } from '../../../../src/transforms/classify/index.js';
import { packageRoot } from '../../../../src/core/paths.js';

test('docs/transforms.md shows exactly USER_AGENT_RULES, and that config validates', () => {
  const md = readFileSync(join(packageRoot(), 'docs', 'transforms.md'), 'utf8');
  const block = /```yaml\n(transforms:\n  clients:[\s\S]*?)```/.exec(md);
  assert.ok(block, 'the classify example block is in the doc');
  const doc = parse(block[1]!) as { transforms: { clients: Record<string, unknown> } };
  const clients = doc.transforms.clients;
  assert.deepEqual(clients.rules, USER_AGENT_RULES.map((r) => ({ value: r.value, pattern: r.pattern })));
  assert.equal(classifySchema.safeParse(clients).success, true);
});

test('values are the DESIGN categories', () => {
  assert.deepEqual([...new Set(USER_AGENT_RULES.map((r) => r.value))].sort(), ['bot', 'browser', 'ci', 'cli', 'library']);
  assert.ok(Object.isFrozen(USER_AGENT_RULES));
});
