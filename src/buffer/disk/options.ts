/** The disk buffer's options, defaults and internal bookkeeping types. */
import type { Logger } from '../../core/component.js';
import type { Event } from '../../core/event.js';
import type { Finalizer } from '../../core/finalizer.js';
import type { Chunk, WhenFull } from '../types.js';
import type { SyncPolicy } from './writer.js';

/** Default max_bytes of a disk buffer: 256 MiB of events (sum of `event.size`). */
export const DEFAULT_DISK_BUFFER_BYTES = 256 * 1024 * 1024;
export const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024;
export const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024;

export interface DiskBufferOptions {
  /** The buffer's own directory (data_dir/buffers/<sink>). */
  dir: string;
  logger: Logger;
  /** Unbounded when absent. */
  max_events?: number;
  max_bytes?: number;
  when_full?: WhenFull;
  sync?: SyncPolicy;
  syncIntervalMs?: number;
  segmentMaxBytes?: number;
  /** Recently written batches kept in memory so take() need not read them back, up to this many
   *  bytes of their encoded records (0: always read). */
  cacheBytes?: number;
  now?: () => number;
  /** Called with the number of corrupt records (regions) found; edgetail_buffer_corrupt_records_total. */
  onCorrupt?: (records: number) => void;
  retryInitialMs?: number;
  retryMaxMs?: number;
}

export interface RecordMeta {
  segment: number;
  offset: number;
  /** Header + payload. */
  length: number;
  count: number;
  bytes: number;
  pushedAt: number;
  cached: Event[] | undefined;
  /** Events handed out by take() so far. */
  taken: number;
  /** Chunks holding some of its events and not acked yet. */
  pending: number;
  /** Every event taken and acked (or the record was skipped as corrupt). */
  done: boolean;
}

export interface PendingWrite {
  record: Buffer;
  events: Event[];
  bytes: number;
  finalizer: Finalizer | undefined;
  dropped: number;
  resolve: (dropped: number) => void;
  reject: (err: Error) => void;
}

export class DiskChunk implements Chunk {
  acked = false;
  constructor(
    readonly events: Event[],
    readonly bytes: number,
    readonly metas: RecordMeta[],
  ) {}
}
