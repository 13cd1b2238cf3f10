import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, EdgetailError, ErrorCodes } from '../../../src/core/errors.js';
import { repoRoot } from '../../helpers/cli.js';

test('every error code is documented in docs/errors.md with its retryable flag', () => {
  const doc = readFileSync(join(repoRoot(), 'docs', 'errors.md'), 'utf8');
  for (const [code, info] of Object.entries(ErrorCodes)) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
    assert.ok(row, `${code} is not documented`);
    assert.equal(row.split('|')[2]!.trim(), info.retryable ? 'yes' : 'no', `${code}: retryable flag in the doc`);
  }
});

test('errors carry their code and retryable flag; ConfigError lists every problem', () => {
  const e = new EdgetailError('SEND_TIMEOUT');
  assert.equal(e.code, 'SEND_TIMEOUT');
  assert.equal(e.retryable, true);
  assert.equal(e.message, 'request timed out');
  const c = new ConfigError([
    { path: 'sinks.a.uri', message: 'expected a URL', severity: 'error' },
    { path: 'sources.b', message: 'has no path to a sink', severity: 'error' },
  ]);
  assert.equal(c.code, 'CONFIG_INVALID');
  assert.equal(c.message, 'sinks.a.uri: expected a URL\nsources.b: has no path to a sink');
});
