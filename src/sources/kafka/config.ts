/** Config schema of the `kafka` source (docs/kafka.md). */
import { z, nonEmptyString, posInt } from '../../core/schema.js';
import { FORMAT_NAMES, type FormatName } from '../../formats/types.js';

/** A list of `host:port`, or one comma-separated string of them (shared with the kafka sink). */
export const bootstrapServers = () =>
  z
    .union([z.array(nonEmptyString('host:port')).min(1, { error: 'expected at least one broker' }), nonEmptyString('host:port list')], {
      error: 'expected a list of host:port or a comma-separated string',
    })
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''))
    .refine((l) => l.length > 0 && l.every((s) => /^[^\s:]+:\d{1,5}$/.test(s)), { error: 'expected host:port entries' });

/** Message values written by edgetail's own kafka sink: one wire JSON object per message. */
export const EDGETAIL_JSON = 'edgetail_json';
export type KafkaSourceFormat = typeof EDGETAIL_JSON | FormatName;
const FORMATS: readonly KafkaSourceFormat[] = [EDGETAIL_JSON, ...FORMAT_NAMES];

/** `/…/` is a regular expression over topic names; anything else is a topic name. */
const topic = nonEmptyString('a topic name or /regex/').refine(
  (t) => {
    if (!(t.length > 2 && t.startsWith('/') && t.endsWith('/'))) return true;
    try {
      new RegExp(t.slice(1, -1));
      return true;
    } catch {
      return false;
    }
  },
  { error: 'invalid /regex/' },
);

export const kafkaSourceSchema = z.strictObject({
  type: z.literal('kafka'),
  bootstrap_servers: bootstrapServers(),
  group_id: nonEmptyString('a consumer group id').default('edgetail'),
  topics: z.array(topic, { error: 'expected a list of topic names' }).min(1, { error: 'expected at least one topic' }),
  /** Where a group without committed offsets starts. */
  start_from: z.enum(['earliest', 'latest'], { error: 'expected earliest or latest' }).default('earliest'),
  format: z.enum(FORMATS, { error: `expected one of ${FORMATS.join(', ')}` }).default(EDGETAIL_JSON),
  client_id: nonEmptyString('a client id').default('edgetail'),
  session_timeout_ms: posInt().default(30_000),
  /** How long stop waits for in-flight batches to be finalized before committing what is done. */
  drain_timeout_ms: posInt().default(10_000),
});

export type KafkaSourceConfig = z.output<typeof kafkaSourceSchema>;

export function topicSubscriptions(topics: readonly string[]): (string | RegExp)[] {
  return topics.map((t) => (t.length > 2 && t.startsWith('/') && t.endsWith('/') ? new RegExp(t.slice(1, -1)) : t));
}
