import type { SinkDef } from '../../src/delivery/types.js';
import { awsS3SinkSchema, type AwsS3SinkConfig } from './config.js';

export const awsS3Sink: SinkDef<AwsS3SinkConfig> = {
  kind: 'sink',
  type: 'aws_s3',
  schema: awsS3SinkSchema,
  /**
   * One batch = one object (per key prefix): archives want few large objects, not many small ones.
   * An object closes at 10 MB of encoded events, 100,000 events or 300 s, whichever comes first.
   * The memory buffer holds 10,000 events unless `buffer.max_events` says otherwise, and a full
   * buffer also closes the batch: raise it to get objects that large.
   */
  batchDefaults: { max_bytes: 10_000_000, max_events: 100_000, timeout_secs: 300 },
  accepts: ['log', 'metric'],
  // The client library loads only when a pipeline uses this sink (keeps an agent's memory small).
  build: async (config, ctx) => (await import('./sink.js')).buildAwsS3Sink(config, ctx),
};
