/** Drives the file source directly: a SourceContext whose emit records batches and holds finalizers. */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Source, SourceContext } from '../../../../src/core/component.js';
import type { LogEvent } from '../../../../src/core/event.js';
import type { Finalizer } from '../../../../src/core/finalizer.js';
import { fileSource, fileSourceSchema } from '../../../../src/sources/file/index.js';
import { testContext, type CountingMetrics } from '../../../helpers/context.js';

export interface Batch {
  events: LogEvent[];
  finalizer: Finalizer | undefined;
  released: boolean;
}

export interface Harness {
  ctx: SourceContext;
  metrics: CountingMetrics;
  batches: Batch[];
  /** raw lines emitted so far, in order. */
  lines(): string[];
  release(i: number): void;
  releaseAll(): void;
  abort: AbortController;
}

/** `autoRelease`: finalize every batch as soon as it is emitted (a sink that takes everything). */
export function harness(dataDir: string, autoRelease = true, id = 'tail'): Harness {
  const base = testContext(id, 'file', dataDir);
  const abort = new AbortController();
  const batches: Batch[] = [];
  const h: Harness = {
    ctx: {
      ...base,
      signal: abort.signal,
      emit: async (events, finalizer) => {
        const b: Batch = { events: events as LogEvent[], finalizer, released: false };
        batches.push(b);
        if (autoRelease) h.release(batches.length - 1);
      },
    },
    metrics: base.metrics,
    batches,
    lines: () => batches.flatMap((b) => b.events.map((e) => e.raw ?? '')),
    release(i) {
      const b = batches[i]!;
      if (b.released) return;
      b.released = true;
      b.finalizer?.release(); // the emitter's reference: the last one, in this fake topology
    },
    releaseAll() {
      for (let i = 0; i < batches.length; i++) h.release(i);
    },
    abort,
  };
  return h;
}

/** Fast timings so tests finish quickly; the rest are the schema's defaults. */
export async function startSource(h: Harness, config: Record<string, unknown>): Promise<Source> {
  const parsed = fileSourceSchema.parse({
    type: 'file',
    format: 'raw',
    glob_interval_ms: 50,
    poll_interval_ms: 20,
    checkpoint_interval_ms: 50,
    rotate_wait_ms: 200,
    ...config,
  });
  const src = await fileSource.build(parsed, h.ctx);
  await src.start();
  return src;
}

export function identity(path: string): string {
  const st = statSync(path, { bigint: true });
  return `${st.dev}-${st.ino}`;
}

interface StoredRecord {
  key: string;
  gen: number;
  offset: number;
  fp_len: number;
  fp_hash: string;
}

/** The checkpointed offset of `path`'s file, or undefined when none is stored (yet). */
export function storedOffset(dataDir: string, id: string, key: string): number | undefined {
  try {
    const doc = JSON.parse(readFileSync(join(dataDir, 'checkpoints', `${id}.json`), 'utf8')) as { files: StoredRecord[] };
    return doc.files.find((r) => r.key === key)?.offset;
  } catch {
    return undefined;
  }
}

export function describeFiles(src: Source): Array<{ path: string; read_offset: number; checkpoint_offset: number; identity: string }> {
  return (src.describe?.().files ?? []) as Array<{ path: string; read_offset: number; checkpoint_offset: number; identity: string }>;
}
