/** Child-process measurement from /proc (Linux): peak RSS (VmHWM) and CPU seconds. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcSample {
  peakRssMb: number;
  /** All threads (main, libuv pool, workers, GC helpers). */
  cpuSecs: number;
  /** The main (event-loop) thread alone: the single-thread bottleneck on an idle machine. */
  mainCpuSecs: number;
}

function cpuOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

const TICKS = 100; // USER_HZ on Linux

export function sample(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    if (!hwm) return undefined; // a zombie (exited, not yet reaped) has no memory lines
    const cpuSecs = cpuOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const mainCpuSecs = cpuOf(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8'));
    return { peakRssMb: Number(hwm[1]) / 1024, cpuSecs, mainCpuSecs };
  } catch {
    return undefined;
  }
}

/** Spawns a node script (or `command`) and keeps the latest /proc sample until it exits. */
export function spawnMeasured(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; command?: string }): { child: ChildProcess; last: () => ProcSample; exited: Promise<number | null> } {
  const child = spawn(opts.command ?? process.execPath, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'inherit', 'inherit'] });
  let last: ProcSample = { peakRssMb: 0, cpuSecs: 0, mainCpuSecs: 0 };
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
