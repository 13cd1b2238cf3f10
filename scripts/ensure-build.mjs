#!/usr/bin/env node
// `npm start` builds only when dist/ is missing or older than the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}
const marker = 'dist/src/cli/main.js';
const built = existsSync(marker) ? statSync(marker).mtimeMs : 0;
const src = Math.max(newest('src'), newest('sinks'), newest('dashboards'), statSync('tsconfig.json').mtimeMs);
if (built < src) {
  // The full build: the server (tsc), the dashboard (its own tsconfig) and the dashboard's static files.
  const r = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
