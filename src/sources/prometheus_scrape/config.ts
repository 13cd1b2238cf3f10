/** Config schema of the `prometheus_scrape` source (src/sources/prometheus_scrape/README.md). */
import { z, httpUrl, posInt, posNumber, requiredSecret, tlsClient } from '../../core/schema.js';

const tagName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'expected a label name ([a-zA-Z_][a-zA-Z0-9_]*)' });

export const prometheusScrapeSchema = z
  .strictObject({
    type: z.literal('prometheus_scrape'),
    endpoints: z.array(httpUrl(), { error: 'expected a list of URLs' }).min(1, { error: 'expected at least one endpoint' }),
    interval_secs: posNumber().default(15),
    /** Per request; defaults to the interval (capped at 10 s). */
    timeout_secs: posNumber().optional(),
    /** `Authorization: Bearer <token>` on every request. */
    auth: z.strictObject({ bearer: requiredSecret() }).optional(),
    tls: tlsClient().optional(),
    /** Bodies larger than this are refused (counted as an error), so one endpoint cannot exhaust memory. */
    max_body_bytes: posInt().default(16 * 1024 * 1024),
    /** Adds a tag with the endpoint's host:port (Prometheus' `instance`), when set. */
    instance_tag: tagName.optional(),
    /** Adds a tag with the full endpoint URL, when set. */
    endpoint_tag: tagName.optional(),
    /** Keep the sample timestamps an endpoint sends (else: the scrape time). */
    honor_timestamps: z.boolean().default(true),
    /** absolute (default): counters carry the endpoint's running totals; incremental: the change since the previous scrape. */
    counter_mode: z.enum(['absolute', 'incremental'], { error: 'expected absolute or incremental' }).default('absolute'),
  })
  .superRefine((c, ctx) => {
    if (c.timeout_secs !== undefined && c.timeout_secs > c.interval_secs) {
      ctx.addIssue({ code: 'custom', path: ['timeout_secs'], message: 'must not exceed interval_secs' });
    }
  });

export type PrometheusScrapeConfig = z.output<typeof prometheusScrapeSchema>;
