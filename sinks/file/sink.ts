/**
 * `file` sink: appends each batch to the file(s) its path template renders to, grouped by path.
 * Delivered = written to the OS (page cache); with `fsync: true`, also fdatasync'ed. With gzip, each
 * group is one gzip member appended to the file (a multi-member gzip file, which gunzip reads whole).
 * Serial: order within a file matters and there is no parallelism to gain.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ComponentContext } from '../../src/core/component.js';
import type { Event } from '../../src/core/event.js';
import { compress } from '../../src/delivery/compress.js';
import { encodeNdjson, encodeRaw } from '../../src/delivery/encoding.js';
import { OK, type SendResult, type SinkDriver } from '../../src/delivery/types.js';
import type { FileSinkConfig } from './config.js';
import { compilePathTemplate } from './template.js';

export interface FileGroup {
  path: string;
  data: Buffer;
  events: number;
}

export interface FilePayload {
  groups: FileGroup[];
  /** Groups already written: a retry of the same payload resumes after them (fewer duplicates). */
  done: number;
  bytes: number;
}

/** Errors that no retry can fix for this payload (the rendered path itself is unusable). */
// EEXIST: mkdir found a file where the path needs a directory (open with 'a' never raises it).
const PERMANENT_CODES = new Set(['EISDIR', 'ENOTDIR', 'EEXIST', 'ENAMETOOLONG', 'EINVAL']);

interface OpenFile {
  fh: FileHandle;
  lastWrite: number;
}

/** Groups a batch by rendered path, keeping event order within each group. */
export function groupByPath(events: readonly Event[], render: (ev: Event) => string): Map<string, Event[]> {
  const groups = new Map<string, Event[]>();
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    const p = render(ev);
    const g = groups.get(p);
    if (g) g.push(ev);
    else groups.set(p, [ev]);
  }
  return groups;
}

export function buildFileSink(config: FileSinkConfig, _ctx: ComponentContext): SinkDriver<FilePayload> {
  const template = compilePathTemplate(config.path);
  const encode = config.encoding.codec === 'raw' ? encodeRaw : encodeNdjson;
  const idleMs = config.idle_timeout_secs * 1000;
  // Map order = least recently written first.
  const files = new Map<string, OpenFile>();
  let busy = false;

  async function closeFile(path: string): Promise<void> {
    const f = files.get(path);
    if (!f) return;
    files.delete(path);
    await f.fh.close().catch(() => {});
  }

  async function handleFor(path: string): Promise<FileHandle> {
    const f = files.get(path);
    if (f) {
      files.delete(path);
      files.set(path, f);
      return f.fh;
    }
    await mkdir(dirname(path), { recursive: true });
    const fh = await open(path, 'a');
    files.set(path, { fh, lastWrite: Date.now() });
    while (files.size > config.max_open_files) await closeFile(files.keys().next().value!);
    return fh;
  }

  async function writeAll(fh: FileHandle, data: Buffer): Promise<void> {
    let off = 0;
    while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten;
  }

  const sweep = setInterval(() => {
    if (busy) return;
    const cutoff = Date.now() - idleMs;
    for (const [path, f] of files) if (f.lastWrite < cutoff) void closeFile(path);
  }, Math.max(100, Math.min(idleMs / 2, 5000)));
  sweep.unref();

  return {
    serial: true,
    async encode(events: Event[]): Promise<FilePayload> {
      const byPath = template.constant ? new Map([[config.path, events]]) : groupByPath(events, template.render);
      const groups: FileGroup[] = [];
      let bytes = 0;
      for (const [path, evs] of byPath) {
        const data = await compress(encode(evs, config.encoding), config);
        groups.push({ path, data, events: evs.length });
        bytes += data.length;
      }
      return { groups, done: 0, bytes };
    },
    async send(payload: FilePayload): Promise<SendResult> {
      busy = true;
      // A path that can never work is skipped (its events go to the dead letter with the whole
      // batch) so that the other files still get their events; a transient error stops here.
      let permanent: string | undefined;
      try {
        for (; payload.done < payload.groups.length; payload.done++) {
          const g = payload.groups[payload.done]!;
          try {
            const fh = await handleFor(g.path);
            await writeAll(fh, g.data);
            if (config.fsync) await fh.datasync();
            files.get(g.path)!.lastWrite = Date.now();
          } catch (err) {
            await closeFile(g.path);
            const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
            const reason = `cannot write ${g.path}: ${code}`;
            if (!PERMANENT_CODES.has(code)) return { kind: 'retryable', reason };
            permanent ??= reason;
          }
        }
        return permanent === undefined ? OK : { kind: 'permanent', reason: permanent };
      } finally {
        busy = false;
      }
    },
    payloadBytes: (p) => p.bytes,
    async close() {
      clearInterval(sweep);
      await Promise.all([...files.keys()].map(closeFile));
    },
  };
}
