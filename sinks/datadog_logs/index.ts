import type { SinkDef } from '../../src/delivery/types.js';
import { datadogLogsSchema, type DatadogLogsConfig } from './config.js';
import { MAX_ENTRIES } from './encode.js';
import { buildDatadogLogsSink } from './sink.js';

export const datadogLogsSink: SinkDef<DatadogLogsConfig> = {
  kind: 'sink',
  type: 'datadog_logs',
  schema: datadogLogsSchema,
  // Batch bytes count raw event sizes; encode splits again by serialized size, so this is a soft target.
  batchDefaults: { max_events: MAX_ENTRIES, max_bytes: 4_500_000 },
  accepts: ['log'],
  build: buildDatadogLogsSink,
};
