/** The `kafka` source: a consumer group member committing offsets end to end (docs/kafka.md). */
import type { SourceDef } from '../../core/component.js';
import { kafkaSourceSchema, type KafkaSourceConfig } from './config.js';

export const kafkaSource: SourceDef<KafkaSourceConfig> = {
  kind: 'source',
  type: 'kafka',
  schema: kafkaSourceSchema,
  // kafkajs loads only when a pipeline uses this source.
  build: async (config, ctx) => new (await import('./source.js')).KafkaSource(config, ctx),
};

export { kafkaSourceSchema, type KafkaSourceConfig, bootstrapServers, EDGETAIL_JSON } from './config.js';
export { CommitTracker, type CommitPoint } from './commits.js';
export { decodeEdgetailJson, makeDecoder } from './decode.js';
