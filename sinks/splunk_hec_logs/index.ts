import type { SinkDef } from '../../src/delivery/types.js';
import { splunkHecSinkSchema, type SplunkHecSinkConfig } from './config.js';
import { buildSplunkHecSink } from './sink.js';

export const splunkHecLogsSink: SinkDef<SplunkHecSinkConfig> = {
  kind: 'sink',
  type: 'splunk_hec_logs',
  schema: splunkHecSinkSchema,
  accepts: ['log'],
  build: buildSplunkHecSink,
};
