/**
 * Where shipped files (config/fastly-public-ip-list.json, dashboards, …) live: the package root,
 * found by walking up from this module to the package.json named "edgetail". Works from src/ under
 * tsx and from dist/src/ when compiled, and from node_modules/edgetail when installed.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'edgetail') {
        cached = dir;
        return dir;
      }
    } catch {
      // no (readable) package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the edgetail package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
