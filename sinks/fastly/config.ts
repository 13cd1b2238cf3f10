/** `fastly` sink config: common sink keys + endpoint, api_key, service_id, agent_id, tls. */
import { z, httpUrl, nonEmptyString, requiredSecret, tlsClient } from '../../src/core/schema.js';
import { sinkSchema } from '../../src/delivery/config.js';
import { MAX_AGENT_ID_CHARS } from '../../src/live/rt-record.js';

export const fastlySinkSchema = sinkSchema({
  /** Base URL; records go to `{endpoint}/v1/channel/{service_id}/ingest`. No default: say where stats go. */
  endpoint: httpUrl(),
  /** Sent as `Fastly-Key`; the receiver lists it in `api.fastly_api_keys`. */
  api_key: requiredSecret(),
  service_id: nonEmptyString('a service id').regex(/^[^/?#\s]+$/, { error: 'expected a service id without /, ?, # or spaces' }),
  /** Identifies this agent's records (with a sequence number) so that re-sent records are not counted twice.
   *  Default: the host name and a random suffix, new at every start. */
  agent_id: nonEmptyString('an agent id').max(MAX_AGENT_ID_CHARS, { error: `expected at most ${MAX_AGENT_ID_CHARS} characters` }).optional(),
  tls: tlsClient().optional(),
});

export type FastlySinkConfig = z.infer<typeof fastlySinkSchema>;
