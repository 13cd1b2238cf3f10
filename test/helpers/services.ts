/**
 * Real test services (Kafka, S3, Chromium, …) via scripts/services.sh. Starting is idempotent and
 * cached; services keep running across test files and are stopped by scripts/run-tests.mjs at the end
 * of `npm test` (`scripts/services.sh stop-all`).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

/** Starts (or finds running) a service and returns its KEY=value lines as an object. */
export function startService(name: string, timeoutMs = 20 * 60_000): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    execFile('bash', [join(repoRoot(), 'scripts', 'services.sh'), 'start', name], { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`scripts/services.sh start ${name} failed: ${err.message}\n${stderr.slice(-4000)}`));
      const out: Record<string, string> = {};
      for (const line of stdout.split('\n')) {
        const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
        if (m) out[m[1]!] = m[2]!;
      }
      resolve(out);
    });
  });
}

export function stopService(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('bash', [join(repoRoot(), 'scripts', 'services.sh'), 'stop', name], { timeout: 120_000 }, (err) => (err ? reject(err) : resolve()));
  });
}
