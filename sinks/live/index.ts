import type { SinkDef } from '../../src/delivery/types.js';
import { liveSinkSchema, type LiveSinkConfig } from './config.js';
import { buildLiveSink } from './sink.js';

export const liveSink: SinkDef<LiveSinkConfig> = {
  kind: 'sink',
  type: 'live',
  schema: liveSinkSchema,
  /** Small batches so the rollups (and the rt API) stay fresh. */
  batchDefaults: { timeout_secs: 0.2 },
  accepts: ['log'],
  build: buildLiveSink,
};
