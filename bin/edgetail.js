#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=16 --heap-growing-percent=50
// Thin launcher: the CLI is compiled TypeScript under dist/ (`npm run build`).
// V8 flags (measured with `npm run bench`, bench/README.md): a 16 MB semi-space (V8's young generation;
// 32 MB was ~5-10% faster on the default bench but peaked at 181 MB RSS instead of 146 MB) and a heap
// growing factor of 1.5, which keeps garbage from piling up in old space: V8's own factor peaked at
// 206 MB RSS (default bench) and 250 MB (tuned); 1.2 at 143 / 181 MB but cost ~0.8 CPU s per million
// lines more in full GCs than 1.5 (144–147 / 182 MB).
// MALLOC_ARENA_MAX=2 (glibc; ignored elsewhere): the libuv pool (gzip) and V8's helper threads (background
// compiles) share two malloc arenas instead of one each, whose freed memory stays resident: an agent
// idle after a burst of 100k lines settles at ~68 MB RSS instead of ~76 MB; same CPU on the default and
// tuned benches.
// Run this file directly (not `node bin/edgetail.js`) to get them.
import { main } from '../dist/src/cli/main.js';

main(process.argv).then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    process.stderr.write(`edgetail: ${err && err.message ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
