import type { SinkDef } from '../../src/delivery/types.js';
import { fileSinkSchema, type FileSinkConfig } from './config.js';
import { buildFileSink } from './sink.js';

export const fileSink: SinkDef<FileSinkConfig> = {
  kind: 'sink',
  type: 'file',
  schema: fileSinkSchema,
  accepts: ['log', 'metric'],
  build: buildFileSink,
};
