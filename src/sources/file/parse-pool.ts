/**
 * Worker threads that parse line batches for a file source (`parse_workers: N`): the second core
 * parses while the main thread encodes and sends. Workers are used only when the fields travel as
 * JSON text (SourceContext.fieldsAsJson): the answer is text, never objects. Batches go round-robin; each answer resolves its
 * own promise, so the reader awaits them in order. A worker that fails rejects what it holds and
 * the pool stops (the reader then parses on the main thread: nothing is lost).
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { FormatName } from '../../formats/types.js';

export interface ParseRequest {
  id: number;
  lines: string[];
}

/** ParseReply.start: the members are text[i] as a whole. */
export const MEMBERS_IN_TEXT = -1;
/** ParseReply.start: parse this line on the main thread (a failure, a skipped line, a shadowed wire key). */
export const PARSE_HERE = -2;

export interface ParseReply {
  id: number;
  /** Epoch ms per line; NaN = the line has no timestamp. */
  ts: Float64Array;
  /**
   * Per line, the fields' JSON members text (no braces): `line.slice(start[i], end[i]) + (text[i] ?? '')`
   * when start[i] ≥ 0, else text[i] (MEMBERS_IN_TEXT) or nothing (PARSE_HERE).
   */
  start: Int32Array;
  end: Int32Array;
  text: Array<string | null>;
  /** Values of the peeked keys (ParsePool's peekKeys), keys.length per line; undefined without keys. */
  peeked: unknown[] | undefined;
}

const FROM_TS = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_TS ? './parse-worker.ts' : './parse-worker.js', import.meta.url);

/** The worker: the compiled file; from TypeScript sources (tests under tsx), a loader that registers tsx first. */
function spawnWorker(options: WorkerOptions): Worker {
  if (!FROM_TS) return new Worker(WORKER_URL, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}

export class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve: (r: ParseReply) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private next = 0;
  /** Set once a worker failed: the pool is out of use. */
  failed: Error | undefined;

  constructor(format: FormatName, count: number, peekKeys?: readonly string[]) {
    for (let i = 0; i < count; i++) {
      // A small young generation: the worker's garbage is short-lived strings and objects of one batch.
      const w = spawnWorker({ workerData: { format, peekKeys }, name: `edgetail-parse-${i}`, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
      w.on('message', (r: ParseReply) => {
        const p = this.pending.get(r.id);
        this.pending.delete(r.id);
        p?.resolve(r);
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`parse worker exited with code ${code}`));
      });
      this.workers.push(w);
    }
  }

  parse(lines: string[]): Promise<ParseReply> {
    if (this.failed) return Promise.reject(this.failed);
    const id = ++this.seq;
    const w = this.workers[this.next]!;
    this.next = (this.next + 1) % this.workers.length;
    return new Promise<ParseReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const req: ParseRequest = { id, lines };
      w.postMessage(req);
    });
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.failed ??= new Error('parse pool closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
