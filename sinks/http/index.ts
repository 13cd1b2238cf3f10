import type { SinkDef } from '../../src/delivery/types.js';
import { httpSinkSchema, type HttpSinkConfig } from './config.js';
import { buildHttpSink } from './sink.js';

export const httpSink: SinkDef<HttpSinkConfig> = {
  kind: 'sink',
  type: 'http',
  schema: httpSinkSchema,
  accepts: ['log', 'metric'],
  build: buildHttpSink,
};
