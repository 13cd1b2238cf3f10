#!/usr/bin/env node
// Copies the live dashboard's static assets (index.html, style.css) next to its compiled modules in
// dist/dashboards/live/ (tsc -p dashboards/live/tsconfig.json builds the .mjs files there).
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'dashboards', 'live');
const out = join(root, 'dist', 'dashboards', 'live');
mkdirSync(out, { recursive: true });
for (const f of ['index.html', 'style.css']) copyFileSync(join(src, f), join(out, f));
