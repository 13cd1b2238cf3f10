/** Child-process measurement from /proc (Linux): peak RSS (VmHWM) and CPU seconds. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcSample {
  peakRssMb: number;
  cpuSecs: number;
}

const TICKS = 100; // USER_HZ on Linux

export function sample(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    if (!hwm) return undefined; // a zombie (exited, not yet reaped) has no memory lines
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return { peakRssMb: Number(hwm[1]) / 1024, cpuSecs: (utime + stime) / TICKS };
  } catch {
    return undefined;
  }
}

/** Spawns a node script (or `command`) and keeps the latest /proc sample until it exits. */
export function spawnMeasured(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; command?: string }): { child: ChildProcess; last: () => ProcSample; exited: Promise<number | null> } {
  const child = spawn(opts.command ?? process.execPath, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'inherit', 'inherit'] });
  let last: ProcSample = { peakRssMb: 0, cpuSecs: 0 };
  const timer = setInterval(() => {
    const s = child.pid ? sample(child.pid) : undefined;
    if (s) last = s;
  }, 50);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve(code);
    }),
  );
  return { child, last: () => { const s = child.pid ? sample(child.pid) : undefined; if (s) last = s; return last; }, exited };
}
