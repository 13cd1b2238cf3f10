import type { SinkDef, StreamingSinkDriver } from '../../src/delivery/types.js';
import { awsS3SinkSchema, type AwsS3SinkConfig } from './config.js';

export const awsS3Sink: SinkDef<AwsS3SinkConfig, StreamingSinkDriver> = {
  kind: 'sink',
  type: 'aws_s3',
  schema: awsS3SinkSchema,
  /**
   * Batches are what the runner hands to the open object at a time (each compressed on its own);
   * objects close by the sink's own `max_bytes` / `timeout_secs`. Events stay in the sink buffer
   * until their object is complete: a full buffer closes the open objects early (raise
   * `buffer.max_events`, or use a disk buffer, for large objects).
   */
  batchDefaults: { max_bytes: 5_000_000, max_events: 5000, timeout_secs: 1 },
  accepts: ['log', 'metric'],
  // The client library loads only when a pipeline uses this sink (keeps an agent's memory small).
  build: async (config, ctx) => (await import('./sink.js')).buildAwsS3Sink(config, ctx),
};
