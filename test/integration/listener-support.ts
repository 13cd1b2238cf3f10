/** Shared by the network-source integration tests: the bound port from the log, RSS of a child. */
import { readFileSync } from 'node:fs';
import type { Running } from '../helpers/cli.js';
import { waitFor } from '../helpers/context.js';

/** Waits for `<component> listening` (logged at info with the bound port; run with EDGETAIL_LOG=info). */
export async function listeningPort(run: Running, componentId: string): Promise<number> {
  const port = await waitFor((): number | undefined => {
    if (run.child.exitCode !== null) throw new Error(`edgetail exited: ${run.stderr()}`);
    for (const line of run.stderr().split('\n')) {
      if (!line.includes('listening') || !line.includes(componentId)) continue;
      try {
        const o = JSON.parse(line) as { component_id?: string; port?: number };
        if (o.component_id === componentId && typeof o.port === 'number') return o.port;
      } catch {
        // a partial line
      }
    }
    return undefined;
  }, `${componentId} listening`, 60_000, 50);
  return port!;
}

/** Resident set size of a process in KiB (Linux /proc). */
export function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error('VmRSS not found');
  return Number(m[1]);
}
