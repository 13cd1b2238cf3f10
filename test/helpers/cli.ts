/** Runs the real edgetail binary (compiled) as a child process, for tests that kill and restart it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === 'edgetail') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('package root not found');
    dir = up;
  }
}

export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export function startEdgetail(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const root = repoRoot();
  const child = spawn(process.execPath, [join(root, 'bin', 'edgetail.js'), ...args], {
    cwd: root,
    env: { ...process.env, EDGETAIL_LOG: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs to completion and returns exit code and output. */
export async function runEdgetail(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = startEdgetail(args, env);
  const { code } = await r.exited;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

/** The `host:port` an instance's API listens on, from its `api listening` log line (needs EDGETAIL_LOG=info). */
export function apiAddress(run: Running): string | undefined {
  for (const line of run.stderr().split('\n')) {
    if (!line.includes('"api listening"')) continue;
    try {
      const o = JSON.parse(line) as { address?: unknown };
      if (typeof o.address === 'string') return o.address;
    } catch {
      // a partial line: the rest has not arrived yet
    }
  }
  return undefined;
}
