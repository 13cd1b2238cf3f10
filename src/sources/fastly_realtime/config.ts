/** Config schema of the `fastly_realtime` source (README.md next to this file). */
import { z, httpUrl, nonEmptyString, posNumber, requiredSecret, tlsClient } from '../../core/schema.js';

export const fastlyRealtimeSchema = z.strictObject({
  type: z.literal('fastly_realtime'),
  /** rt.fastly.com, or any rt-compatible API (an edgetail collector: /v1/channel/{id}/ts/{ts}). */
  endpoint: httpUrl().default('https://rt.fastly.com'),
  /** Sent as `Fastly-Key`. */
  api_key: requiredSecret(),
  service_ids: z
    .array(nonEmptyString('a service id').regex(/^[^/?#\s]+$/, { error: 'expected a service id without /, ?, # or spaces' }), { error: 'expected a list of service ids' })
    .min(1, { error: 'expected at least one service id' }),
  /** Shortest time between two polls of one service (the API long-polls, so this rarely waits). */
  interval_secs: posNumber().default(1),
  /** First poll: `latest` = ts/0 (the newest second, then onwards); `history` = ts/h (the last 120 s, then onwards). */
  start_at: z.enum(['latest', 'history'], { error: 'expected latest or history' }).default('latest'),
  /** Per request; must exceed the server's long-poll hold. */
  timeout_secs: posNumber().default(60),
  /** Backoff after "No data available" or an error: exponential with jitter between these bounds (Retry-After honoured). */
  retry_initial_backoff_secs: posNumber().default(1),
  retry_max_backoff_secs: posNumber().default(60),
  /** Metric names are `<namespace>_<rt key>` (e.g. fastly_rt_requests). */
  namespace: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'expected a metric name prefix ([a-zA-Z_][a-zA-Z0-9_]*)' }).default('fastly_rt'),
  /** Emit the `aggregated` block (tag datacenter=aggregated) and/or one set per POP (tag datacenter=<POP>). */
  aggregated: z.boolean().default(true),
  datacenter: z.boolean().default(true),
  tls: tlsClient().optional(),
}).refine((c) => c.retry_max_backoff_secs >= c.retry_initial_backoff_secs, { path: ['retry_max_backoff_secs'], error: 'must be ≥ retry_initial_backoff_secs' });

export type FastlyRealtimeConfig = z.output<typeof fastlyRealtimeSchema>;
