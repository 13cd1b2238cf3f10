/**
 * The keys every sink has (DESIGN.md "Component keys"): inputs, buffer, batch, request, compression,
 * encoding, healthcheck. A sink's schema is `sinkSchema({ ...its own keys })`; defaults live here once.
 */
import { z, posInt, nonNegNumber, posNumber, inputs } from '../core/schema.js';

export const bufferSchema = z
  .strictObject({
    type: z.enum(['memory', 'disk'], { error: 'expected memory or disk' }).default('memory'),
    max_events: posInt().optional(),
    max_bytes: posInt().optional(),
    when_full: z.enum(['block', 'drop_newest'], { error: 'expected block or drop_newest' }).default('block'),
    sync: z.enum(['batch', 'interval', 'never'], { error: 'expected batch, interval or never' }).default('batch'),
  })
  .default({ type: 'memory', when_full: 'block', sync: 'batch' });

export const batchSchema = z
  .strictObject({
    max_events: posInt().optional(),
    max_bytes: posInt().optional(),
    timeout_secs: posNumber().optional(),
  })
  .default({});

export const requestSchema = z
  .strictObject({
    timeout_secs: posNumber().default(30),
    concurrency: z
      .union([posInt(), z.literal('adaptive')], { error: 'expected a positive integer or "adaptive"' })
      .default('adaptive'),
    retry_initial_backoff_secs: posNumber().default(1),
    retry_max_backoff_secs: posNumber().default(30),
    /** 0 = retry forever. */
    retry_max_duration_secs: nonNegNumber().default(0),
  })
  .default({ timeout_secs: 30, concurrency: 'adaptive', retry_initial_backoff_secs: 1, retry_max_backoff_secs: 30, retry_max_duration_secs: 0 });

export const encodingSchema = z
  .strictObject({
    codec: z.enum(['ndjson', 'json', 'raw'], { error: 'expected ndjson, json or raw' }).default('ndjson'),
    except_fields: z.array(z.string()).optional(),
    only_fields: z.array(z.string()).optional(),
  })
  .default({ codec: 'ndjson' });

export const commonSinkKeys = {
  type: z.string(),
  inputs: inputs(),
  buffer: bufferSchema,
  batch: batchSchema,
  request: requestSchema,
  compression: z.enum(['none', 'gzip'], { error: 'expected none or gzip' }).default('none'),
  compression_level: z.number().int().min(0).max(9, { error: 'expected 0..9' }).optional(),
  encoding: encodingSchema,
  healthcheck: z.strictObject({ enabled: z.boolean().default(true) }).default({ enabled: true }),
};

export function sinkSchema<S extends z.ZodRawShape>(own: S) {
  return z.strictObject({ ...commonSinkKeys, ...own });
}

export type BufferConfig = z.infer<typeof bufferSchema>;
export type BatchConfig = z.infer<typeof batchSchema>;
export type RequestConfig = z.infer<typeof requestSchema>;
export type EncodingConfig = z.infer<typeof encodingSchema>;
export type CommonSinkConfig = z.infer<ReturnType<typeof sinkSchema<{}>>>;

/** What a sink definition may declare as its own batch defaults (e.g. Datadog: 1000 events). */
export interface BatchDefaults {
  max_events: number;
  max_bytes: number;
  timeout_secs: number;
}

export const DEFAULT_BATCH: BatchDefaults = { max_events: 1000, max_bytes: 1_048_576, timeout_secs: 1 };
export const DEFAULT_MEMORY_BUFFER_EVENTS = 10_000;
