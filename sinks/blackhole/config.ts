/** `blackhole` sink config: common sink keys (accepted, unused) + print_interval_secs. */
import { z, nonNegNumber } from '../../src/core/schema.js';
import { sinkSchema } from '../../src/delivery/config.js';

export const blackholeSinkSchema = sinkSchema({
  /** Log the rate every N seconds through the logger (info); 0 = never. */
  print_interval_secs: nonNegNumber().default(0),
});

export type BlackholeSinkConfig = z.infer<typeof blackholeSinkSchema>;
