/** Sink buffers: the contract, the memory implementation, and the factory the runner uses. */
import type { Logger } from '../core/component.js';
import type { BufferConfig } from '../delivery/config.js';
import { MemoryBuffer } from './memory.js';
import type { SinkBuffer } from './types.js';

export type { Chunk, SinkBuffer, WhenFull } from './types.js';
export { MemoryBuffer, sizeOf, type MemoryBufferOptions } from './memory.js';
export { Queue } from './queue.js';

export interface BufferContext {
  id: string;
  dataDir: string;
  logger: Logger;
  /** The runner's monotonic clock (ms), shared so that batch ages agree. */
  now?: () => number;
}

/**
 * Builds the buffer a sink's config asks for. `type: disk` is not implemented yet: it falls back to
 * a memory buffer of the same bounds, with a warning (delivery is then at-least-once only while the
 * process lives: nothing is acknowledged to sources before the endpoint took it, so a restart
 * re-reads unacknowledged input rather than losing it).
 */
export function createBuffer(config: Partial<BufferConfig> | undefined, ctx: BufferContext): SinkBuffer {
  const cfg = config ?? {};
  if (cfg.type === 'disk') {
    ctx.logger.warn({ component_id: ctx.id }, 'disk buffer not available yet: using a memory buffer with the same limits');
  }
  return new MemoryBuffer({ max_events: cfg.max_events, max_bytes: cfg.max_bytes, when_full: cfg.when_full, now: ctx.now });
}
