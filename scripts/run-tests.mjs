#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with Node's built-in test runner.
// Usage: node scripts/run-tests.mjs [substring-filter ...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
let files = walk('dist/test', []).sort();
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// --test-force-exit: a test file whose failed test leaked a child process (or a socket) must still
// end; its 'exit' handlers then kill what it started (test/helpers/cli.ts).
const args = ['--test', '--test-reporter=spec', '--test-force-exit', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
// Services the tests started (scripts/services.sh) keep running between test files; stop them now
// (unless EDGETAIL_KEEP_SERVICES=1: other test runs on this machine share them).
if (process.env.EDGETAIL_KEEP_SERVICES !== '1') spawnSync('bash', ['scripts/services.sh', 'stop-all'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
