import type { SinkDef } from '../../src/delivery/types.js';
import { kafkaSinkSchema, type KafkaSinkConfig } from './config.js';

export const kafkaSink: SinkDef<KafkaSinkConfig> = {
  kind: 'sink',
  type: 'kafka',
  schema: kafkaSinkSchema,
  // Under the broker's default message.max.bytes (1 MiB) for one produce request per topic-partition.
  batchDefaults: { max_events: 2000, max_bytes: 900_000, timeout_secs: 1 },
  accepts: ['log', 'metric'],
  // The client library loads only when a pipeline uses this sink (keeps an agent's memory small).
  build: async (config, ctx) => (await import('./sink.js')).buildKafkaSink(config, ctx),
};

export { kafkaSinkSchema, type KafkaSinkConfig, bootstrapServers } from './config.js';
