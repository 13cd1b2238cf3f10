/** `live` sink config: common sink keys + retention and the default service id. */
import { z, posInt, nonEmptyString } from '../../src/core/schema.js';
import { sinkSchema } from '../../src/delivery/config.js';

export const liveSinkSchema = sinkSchema({
  /** Seconds of per-second rollups kept; older events are counted as late. */
  retention_secs: posInt().default(900),
  /** Service id for events that carry none (the rt API's /v1/channel/{service_id}). */
  service_id: nonEmptyString('a service id').default('default'),
});

export type LiveSinkConfig = z.infer<typeof liveSinkSchema>;
