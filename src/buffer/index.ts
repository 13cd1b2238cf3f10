/** Sink buffers: the contract, the memory and disk implementations, and the factory the runner uses. */
import { join } from 'node:path';
import type { Logger } from '../core/component.js';
import type { BufferConfig } from '../delivery/config.js';
import { DiskBuffer } from './disk/index.js';
import { MemoryBuffer } from './memory.js';
import type { SinkBuffer } from './types.js';

export type { Chunk, SinkBuffer, WhenFull } from './types.js';
export { MemoryBuffer, type MemoryBufferOptions } from './memory.js';
export { Admission, sizeOf } from './admission.js';
export { DiskBuffer, DEFAULT_DISK_BUFFER_BYTES, type DiskBufferOptions } from './disk/index.js';
export { Queue } from './queue.js';

export interface BufferContext {
  id: string;
  dataDir: string;
  logger: Logger;
  /** The runner's monotonic clock (ms), shared so that batch ages agree. */
  now?: () => number;
  /** Disk buffers report corrupt records here (edgetail_buffer_corrupt_records_total). */
  onCorrupt?: (records: number) => void;
}

/** The directory of a sink's disk buffer: data_dir/buffers/<sink id>. */
export function diskBufferDir(dataDir: string, id: string): string {
  return join(dataDir, 'buffers', id);
}

/**
 * Builds the buffer a sink's config asks for: `type: disk` opens (and recovers) the sink's log in
 * data_dir/buffers/<sink>/ synchronously; anything else is a memory buffer.
 */
export function createBuffer(config: Partial<BufferConfig> | undefined, ctx: BufferContext): SinkBuffer {
  const cfg = config ?? {};
  if (cfg.type === 'disk') {
    return new DiskBuffer({
      dir: diskBufferDir(ctx.dataDir, ctx.id),
      logger: ctx.logger,
      max_events: cfg.max_events,
      max_bytes: cfg.max_bytes,
      when_full: cfg.when_full,
      sync: cfg.sync,
      now: ctx.now,
      onCorrupt: ctx.onCorrupt,
    });
  }
  return new MemoryBuffer({ max_events: cfg.max_events, max_bytes: cfg.max_bytes, when_full: cfg.when_full, now: ctx.now });
}
