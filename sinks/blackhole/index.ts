import type { SinkDef } from '../../src/delivery/types.js';
import { blackholeSinkSchema, type BlackholeSinkConfig } from './config.js';
import { buildBlackholeSink } from './sink.js';

export const blackholeSink: SinkDef<BlackholeSinkConfig> = {
  kind: 'sink',
  type: 'blackhole',
  schema: blackholeSinkSchema,
  accepts: ['log', 'metric'],
  build: buildBlackholeSink,
};
