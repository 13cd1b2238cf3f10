/** `console` sink config: common sink keys + target. */
import { z } from '../../src/core/schema.js';
import { sinkSchema } from '../../src/delivery/config.js';

export const consoleSinkSchema = sinkSchema({
  target: z.enum(['stdout', 'stderr'], { error: 'expected stdout or stderr' }).default('stdout'),
  encoding: z
    .strictObject({
      codec: z.enum(['ndjson', 'raw'], { error: 'expected ndjson or raw' }).default('ndjson'),
      except_fields: z.array(z.string()).optional(),
      only_fields: z.array(z.string()).optional(),
    })
    .default({ codec: 'ndjson' }),
  /** A terminal gets text: gzip is refused rather than silently ignored. */
  compression: z.enum(['none'], { error: 'the console sink writes text: compression must be none' }).default('none'),
});

export type ConsoleSinkConfig = z.infer<typeof consoleSinkSchema>;
