import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { repoRoot, runEdgetail } from '../helpers/cli.js';

test('validate lists all three mistakes with their key paths and exits 78', async () => {
  const r = await runEdgetail(['validate', '--config', join(repoRoot(), 'test/fixtures/configs/three-mistakes.yaml')]);
  assert.equal(r.code, 78, r.stderr);
  assert.match(r.stderr, /sinks\.out\.batch\.max_events: expected a positive integer/);
  assert.match(r.stderr, /sources\.edge\.start_at: /);
  assert.match(r.stderr, /sinks\.out\.inputs\[1\]: unknown input "missing_transform"/);
  assert.match(r.stderr, /3 errors/);
});

test('every example config validates', async () => {
  const dir = join(repoRoot(), 'examples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length > 0, 'no examples found');
  for (const f of files) {
    const r = await runEdgetail(['validate', '--config', join(dir, f)]);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
  }
});

test('an unreadable config file is reported, not a crash', async () => {
  const r = await runEdgetail(['validate', '--config', '/nonexistent/edgetail.yaml']);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /\/nonexistent\/edgetail\.yaml: cannot read: ENOENT/);
});
