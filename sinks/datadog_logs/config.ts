/**
 * `datadog_logs` sink config: common sink keys + site / endpoint, api_key, ddsource, ddtags,
 * service, hostname / hostname_field, tls. Compression defaults to gzip here (Datadog's advice),
 * and may also be `deflate` (the intake accepts both).
 */
import { z, httpUrl, nonEmptyString, requiredSecret, tlsClient } from '../../src/core/schema.js';
import { sinkSchema } from '../../src/delivery/config.js';

/** A Datadog site: datadoghq.com, datadoghq.eu, us3.datadoghq.com, ap1.datadoghq.com, ddog-gov.com… */
export const datadogSite = () =>
  z.string({ error: 'expected a Datadog site such as datadoghq.com' }).regex(/^[a-z0-9]+([.-][a-z0-9]+)*\.[a-z]{2,}$/, { error: 'expected a Datadog site such as datadoghq.com (a host name, no scheme)' });

export const ddCompression = () =>
  z.enum(['none', 'gzip', 'deflate'], { error: 'expected none, gzip or deflate' }).default('gzip');

export const datadogLogsSchema = sinkSchema({
  site: datadogSite().default('datadoghq.com'),
  /** Overrides every host (tests, proxies, Datadog-compatible intakes): scheme://host[:port]. */
  endpoint: httpUrl().optional(),
  api_key: requiredSecret(),
  compression: ddCompression(),
  ddsource: nonEmptyString().default('edgetail'),
  /** `k:v` tags, sent as one comma-joined `ddtags` attribute on every entry. */
  ddtags: z.array(z.string().min(1).refine((s) => !s.includes(','), { error: 'a tag must not contain a comma' })).default([]),
  service: nonEmptyString().optional(),
  /** Fallback hostname when the event has no `hostname_field` string. */
  hostname: nonEmptyString().optional(),
  /** Event field whose string value becomes the entry's hostname (the edge node by default). */
  hostname_field: nonEmptyString().default('node'),
  tls: tlsClient().optional(),
});

export type DatadogLogsConfig = z.infer<typeof datadogLogsSchema>;
