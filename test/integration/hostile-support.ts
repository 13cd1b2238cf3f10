/** Raw-socket helpers for the hostile-input tests: send bytes, read what comes back, watch the close. */
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { apiAddress, startEdgetail, type Running } from '../helpers/cli.js';
import { waitFor } from '../helpers/context.js';

export interface RawReply {
  /** Everything the server sent before closing. */
  text: string;
  /** The status code of the first response line, or undefined when the server closed without one. */
  status: number | undefined;
}

/** Opens a connection, writes `bytes` (optionally in slow pieces), resolves when the server closes it. */
export function rawExchange(port: number, bytes: string | Buffer, opts: { endAfterWrite?: boolean } = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let text = '';
    s.on('data', (d) => (text += d.toString('latin1')));
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
    s.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ text, status: m ? Number(m[1]) : undefined });
    });
    s.on('connect', () => {
      s.write(bytes);
      if (opts.endAfterWrite) s.end();
    });
  });
}

/** A connection that sends the start of a request and then one header byte every `everyMs` (slowloris). */
export function slowloris(port: number, everyMs: number): Promise<RawReply & { bytesSent: number }> {
  return new Promise((resolve) => {
    const s: Socket = connect(port, '127.0.0.1');
    let text = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    s.on('data', (d) => (text += d.toString('latin1')));
    s.on('error', () => {});
    s.on('connect', () => {
      s.write('GET /api/topology HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      timer = setInterval(() => {
        if (s.writable) {
          s.write('a');
          sent++;
        }
      }, everyMs);
    });
    s.on('close', () => {
      clearInterval(timer);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ text, status: m ? Number(m[1]) : undefined, bytesSent: sent });
    });
  });
}

/** Starts the CLI with EDGETAIL_LOG=info and reads the API address from its "api listening" log line. */
export async function startWithApi(config: string, env: NodeJS.ProcessEnv = {}): Promise<{ run: Running; port: number }> {
  const run = startEdgetail(['run', '--config', config], { EDGETAIL_LOG: 'info', ...env });
  const addr = await waitFor((): string | undefined => {
    if (run.child.exitCode !== null) throw new Error(`edgetail exited: ${run.stderr()}`);
    return apiAddress(run);
  }, 'the api listening log line', 60_000).catch((err: unknown) => {
    run.child.kill('SIGKILL'); // the caller never got it, so it cannot clean it up
    throw err;
  });
  return { run, port: Number(addr.slice(addr.lastIndexOf(':') + 1)) };
}

/** Resident set size of a process, bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** The value of one sample of edgetail_api_rejected_total. */
export function rejected(metrics: string, reason: string): number {
  const m = new RegExp(`^edgetail_api_rejected_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) : NaN;
}
