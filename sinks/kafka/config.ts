/** `kafka` sink config: common sink keys + bootstrap_servers, topic, key_field, acks, client_id. */
import { z, nonEmptyString } from '../../src/core/schema.js';
import { sinkSchema } from '../../src/delivery/config.js';
import { bootstrapServers } from '../../src/sources/kafka/config.js';

export { bootstrapServers };

export const kafkaSinkSchema = sinkSchema({
  bootstrap_servers: bootstrapServers(),
  /** Topic name; may contain `{{ field }}` placeholders (e.g. `edge-{{ pop }}`). */
  topic: nonEmptyString('a topic name'),
  /** Field whose value is the message key (partitioning); no key when absent. */
  key_field: nonEmptyString('a field name').optional(),
  /** Only -1 (all in-sync replicas): the idempotent producer requires it. */
  acks: z.literal(-1, { error: 'expected -1 (all in-sync replicas)' }).default(-1),
  client_id: nonEmptyString('a client id').default('edgetail'),
});

export type KafkaSinkConfig = z.infer<typeof kafkaSinkSchema>;
