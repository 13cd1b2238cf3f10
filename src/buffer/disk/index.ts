/** The durable disk buffer: segmented log + ledger (docs/buffers.md). */
export { DiskBuffer } from './buffer.js';
export { DEFAULT_DISK_BUFFER_BYTES, DEFAULT_SEGMENT_BYTES, DEFAULT_CACHE_BYTES, type DiskBufferOptions } from './options.js';
export { crc32c } from './crc32c.js';
export type { SyncPolicy } from './writer.js';
