/** Config schema of the `internal_metrics` source (docs/demo.md#internal_metrics). */
import { z, posNumber } from '../../core/schema.js';

export const internalMetricsSchema = z.strictObject({
  type: z.literal('internal_metrics'),
  /** How often edgetail's own metrics are read and emitted. */
  interval_secs: posNumber().default(10),
  /** Prefix added to every metric name as `<namespace>_<name>` (names already start with edgetail_). */
  namespace: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'expected a metric name prefix ([a-zA-Z_][a-zA-Z0-9_]*)' }).optional(),
  /**
   * absolute (default, as Vector's internal_metrics): counters carry their running total;
   * incremental: counters (and histogram buckets/sum/count) carry the change since the last emit.
   */
  counter_mode: z.enum(['absolute', 'incremental'], { error: 'expected absolute or incremental' }).default('absolute'),
});

export type InternalMetricsConfig = z.output<typeof internalMetricsSchema>;
