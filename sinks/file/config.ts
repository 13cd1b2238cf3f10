/** `file` sink config: common sink keys + path template, fsync, open-file limits. */
import { z, nonEmptyString, posInt, posNumber } from '../../src/core/schema.js';
import { sinkSchema } from '../../src/delivery/config.js';

export const fileSinkSchema = sinkSchema({
  /** strftime specifiers (UTC, from the event's timestamp) and `{{ field }}` placeholders. */
  path: nonEmptyString('a file path template'),
  /** Appending one JSON array per batch would not make a valid file: ndjson or raw only. */
  encoding: z
    .strictObject({
      codec: z.enum(['ndjson', 'raw'], { error: 'expected ndjson or raw' }).default('ndjson'),
      except_fields: z.array(z.string()).optional(),
      only_fields: z.array(z.string()).optional(),
    })
    .default({ codec: 'ndjson' }),
  /** fdatasync every file written to before a batch counts as delivered. */
  fsync: z.boolean().default(false),
  /** Files not written to for this long are closed. */
  idle_timeout_secs: posNumber().default(30),
  /** Open files kept at most (least recently written closed first). */
  max_open_files: posInt().default(64),
});

export type FileSinkConfig = z.infer<typeof fileSinkSchema>;
