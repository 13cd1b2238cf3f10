/**
 * `datadog_metrics` sink config: common sink keys + site / endpoint, api_key, namespace, tags,
 * host_tag, counter_type, interval_secs, tls. Compression defaults to gzip (the 500 KB limit applies
 * to the body as sent).
 */
import { z, httpUrl, nonEmptyString, posInt, requiredSecret, tlsClient } from '../../src/core/schema.js';
import { sinkSchema } from '../../src/delivery/config.js';
import { datadogSite, ddCompression } from '../datadog_logs/config.js';

export const datadogMetricsSchema = sinkSchema({
  site: datadogSite().default('datadoghq.com'),
  /** Overrides the API host (tests, proxies): scheme://host[:port]. */
  endpoint: httpUrl().optional(),
  api_key: requiredSecret(),
  compression: ddCompression(),
  /** Prefix of every metric name, joined with a dot (`edgetail` → `edgetail.requests`). */
  namespace: nonEmptyString().optional(),
  /** Extra `k:v` tags on every series. */
  tags: z.array(z.string().min(1)).default([]),
  /** The event tag whose value becomes the series' host resource (and is not sent as a tag). */
  host_tag: nonEmptyString().default('host'),
  /** Datadog type for counters: count (1, the increment) or rate (2, increment / interval_secs). */
  counter_type: z.enum(['count', 'rate'], { error: 'expected count or rate' }).default('count'),
  /** The series interval in seconds (sent as `interval`); required for counter_type: rate. */
  interval_secs: posInt().optional(),
  tls: tlsClient().optional(),
}).superRefine((c, ctx) => {
  if (c.counter_type === 'rate' && c.interval_secs === undefined) {
    ctx.addIssue({ code: 'custom', path: ['interval_secs'], message: 'counter_type: rate needs interval_secs' });
  }
});

export type DatadogMetricsConfig = z.infer<typeof datadogMetricsSchema>;
