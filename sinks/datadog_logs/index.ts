import type { SinkDef } from '../../src/delivery/types.js';
import { datadogLogsSchema, type DatadogLogsConfig } from './config.js';
import { MAX_ENTRIES } from './encode.js';

export const datadogLogsSink: SinkDef<DatadogLogsConfig> = {
  kind: 'sink',
  type: 'datadog_logs',
  schema: datadogLogsSchema,
  // Batch bytes count raw event sizes; encode splits again by serialized size, so this is a soft target.
  batchDefaults: { max_events: MAX_ENTRIES, max_bytes: 4_500_000 },
  accepts: ['log'],
  // The client library loads only when a pipeline uses this sink (keeps an agent's memory small).
  build: async (config, ctx) => (await import('./sink.js')).buildDatadogLogsSink(config, ctx),
};
