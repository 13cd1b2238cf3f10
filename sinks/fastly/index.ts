import type { SinkDef } from '../../src/delivery/types.js';
import { fastlySinkSchema, type FastlySinkConfig } from './config.js';
import { buildFastlySink } from './sink.js';

export const fastlySink: SinkDef<FastlySinkConfig> = {
  kind: 'sink',
  type: 'fastly',
  schema: fastlySinkSchema,
  /** One body per second or so: a record per second per batch, so fewer, fuller batches mean fewer records. */
  batchDefaults: { max_events: 10_000, max_bytes: 16 * 1024 * 1024, timeout_secs: 1 },
  accepts: ['log'],
  build: buildFastlySink,
};
