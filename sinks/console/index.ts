import type { SinkDef } from '../../src/delivery/types.js';
import { consoleSinkSchema, type ConsoleSinkConfig } from './config.js';
import { buildConsoleSink } from './sink.js';

export const consoleSink: SinkDef<ConsoleSinkConfig> = {
  kind: 'sink',
  type: 'console',
  schema: consoleSinkSchema,
  accepts: ['log', 'metric'],
  build: buildConsoleSink,
};
