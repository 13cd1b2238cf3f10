/**
 * `edgetail tap`: connects to a running instance's `/live` feed and prints one line per second
 * (time, req/s, CDN share, hit ratio, 5xx, origin bypass) and the sampled tail events, until
 * Ctrl-C (or `signal`). A second is printed once, when it first arrives complete; later
 * corrections of an already printed second (late lines) are not reprinted.
 */
import type { Writable } from 'node:stream';
import { WebSocket } from 'ws';
import type { LiveFilter, LiveSecond, ServerMsg, TailEvent } from '../live/protocol.js';

export interface TapOptions {
  url: string;
  /** A condition (docs/transforms.md "Conditions"); sent as the feed filter's `expr`. */
  filter?: string | undefined;
  token?: string | undefined;
  /** Print sampled events (default true). */
  tail?: boolean;
}

function pct(v: number | null): string {
  return v === null ? '    –' : `${(v * 100).toFixed(1).padStart(5)}%`;
}

function hms(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

export function formatSecond(s: LiveSecond): string {
  return `${hms(s.t * 1000)}  req/s ${String(s.requests).padStart(6)}  cdn ${pct(s.cdnShare)}  hit ${pct(s.hitRatio)}  5xx ${String(s.status['5xx']).padStart(4)}  bypass ${String(s.originBypass).padStart(5)}`;
}

function field(f: Record<string, unknown>, k: string): string {
  const v = f[k];
  return v === undefined || v === null || v === '' ? '-' : String(v);
}

export function formatTail(e: TailEvent): string {
  const f = e.fields;
  const where = f.layer === 'origin' ? (f.via_cdn === true ? 'origin(cdn)' : 'origin(bypass)') : field(f, 'pop');
  return `  · ${hms(e.ts)} ${where} ${field(f, 'status')} ${field(f, 'cache_state')} ${field(f, 'method')} ${field(f, 'host')}${field(f, 'path')} ${field(f, 'client_ip')} "${field(f, 'user_agent')}"`;
}

/** Runs until the connection closes (exit code 1), `signal` aborts (0) or the server rejects the filter (2). */
export function runTap(opts: TapOptions, out: Writable, err: Writable, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const ws = new WebSocket(opts.url, ['edgetail.v1'], { headers });
    let lastPrinted = -Infinity;
    let stopping = false;
    let code: number | undefined;
    const stop = (): void => {
      stopping = true;
      ws.close();
    };
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
    const printSeconds = (seconds: LiveSecond[]): void => {
      for (const s of seconds) {
        if (s.t <= lastPrinted) continue;
        lastPrinted = s.t;
        out.write(`${formatSecond(s)}\n`);
      }
    };
    ws.on('open', () => {
      err.write(`tap: connected to ${opts.url}${opts.filter ? ` (filter: ${opts.filter})` : ''} — Ctrl-C to stop\n`);
      if (opts.filter) ws.send(JSON.stringify({ type: 'filter', filter: { expr: opts.filter } satisfies LiveFilter }));
    });
    ws.on('unexpected-response', (_req, res) => {
      err.write(`tap: ${opts.url} answered ${res.statusCode}${res.statusCode === 401 ? ' (pass --token)' : ''}\n`);
      res.resume();
      ws.terminate();
    });
    ws.on('message', (data) => {
      let msg: ServerMsg;
      try {
        msg = JSON.parse(data.toString()) as ServerMsg;
      } catch {
        return;
      }
      switch (msg.type) {
        case 'snapshot':
          // With a filter, wait for the filtered snapshot; print only the last few seconds of history.
          if (opts.filter && msg.filter === null) return;
          lastPrinted = -Infinity;
          printSeconds(msg.seconds.slice(-5));
          break;
        case 'delta':
          printSeconds(msg.seconds);
          break;
        case 'tail':
          if (opts.tail !== false) for (const e of msg.events) out.write(`${formatTail(e)}\n`);
          break;
        case 'dropped':
          err.write(`tap: ${msg.count} frame(s) dropped (this terminal is too slow)\n`);
          break;
        case 'error':
          err.write(`tap: server: ${msg.message}\n`);
          code = 2;
          stop();
          break;
      }
    });
    ws.on('error', (e) => err.write(`tap: ${e.message}\n`));
    ws.on('close', () => {
      signal?.removeEventListener('abort', stop);
      resolve(code ?? (stopping ? 0 : 1));
    });
  });
}
