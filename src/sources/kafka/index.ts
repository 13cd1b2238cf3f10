/** The `kafka` source: a consumer group member committing offsets end to end (docs/kafka.md). */
import type { SourceDef } from '../../core/component.js';
import { kafkaSourceSchema, type KafkaSourceConfig } from './config.js';
import { KafkaSource } from './source.js';

export const kafkaSource: SourceDef<KafkaSourceConfig> = {
  kind: 'source',
  type: 'kafka',
  schema: kafkaSourceSchema,
  build: (config, ctx) => new KafkaSource(config, ctx),
};

export { KafkaSource } from './source.js';
export { kafkaSourceSchema, type KafkaSourceConfig, bootstrapServers, EDGETAIL_JSON } from './config.js';
export { CommitTracker, type CommitPoint } from './commits.js';
export { decodeEdgetailJson, makeDecoder } from './decode.js';
export { kafkaLogCreator } from './kafkajs-log.js';
