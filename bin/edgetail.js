#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript under dist/ (`npm run build`).
import { main } from '../dist/src/cli/main.js';

main(process.argv).then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    process.stderr.write(`edgetail: ${err && err.message ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
