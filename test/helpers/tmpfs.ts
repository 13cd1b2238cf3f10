/**
 * A tiny tmpfs for disk-full tests: a real ENOSPC without filling the machine's disk. Needs the
 * right to mount (root with CAP_SYS_ADMIN, as in the dev container); callers skip the test with
 * the returned reason where mounting is not allowed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  path: string;
  unmount(): void;
}

/** Mounts a tmpfs of `bytes` (rounded up to pages by the kernel); a string says why it could not. */
export function mountTmpfs(bytes: number): Tmpfs | string {
  const path = mkdtempSync(join(tmpdir(), 'edgetail-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', path], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(path, { recursive: true, force: true });
    return `cannot mount a tmpfs here (${(r.stderr || r.error?.message || 'mount failed').trim()})`;
  }
  return {
    path,
    unmount() {
      spawnSync('umount', ['-l', path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}
