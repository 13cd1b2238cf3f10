/**
 * `splunk_hec_logs` sink config: common sink keys + endpoint, token, envelope metadata, endpoint
 * target, indexer acknowledgements and tls (README.md in this folder).
 */
import { z, httpUrl, nonEmptyString, posNumber, requiredSecret, tlsClient } from '../../src/core/schema.js';
import { sinkSchema } from '../../src/delivery/config.js';

export const acknowledgementsSchema = z
  .strictObject({
    indexer_acknowledgements_enabled: z.boolean().default(false),
    /** How often pending ack ids are polled. */
    query_interval_secs: posNumber().default(1),
    /** How long a batch waits for its ack before it is retried ('ack timeout'). */
    timeout_secs: posNumber().default(20),
  })
  .default({ indexer_acknowledgements_enabled: false, query_interval_secs: 1, timeout_secs: 20 });

export const splunkHecSinkSchema = sinkSchema({
  /** Base URL of HEC (scheme, host, port), e.g. https://splunk.example.com:8088. */
  endpoint: httpUrl(),
  token: requiredSecret(),
  endpoint_target: z.enum(['event', 'raw'], { error: 'expected event or raw' }).default('event'),
  index: nonEmptyString('an index name').optional(),
  source: nonEmptyString('a source').optional(),
  sourcetype: nonEmptyString('a sourcetype').optional(),
  /** The event field whose value becomes the envelope's `host` (the cache node by default). */
  host_key: nonEmptyString('a field name').default('node'),
  /** Fields copied (as strings) into the envelope's `fields` (Splunk indexed fields). */
  indexed_fields: z.array(nonEmptyString('a field name'), { error: 'expected a list of field names' }).default([]),
  acknowledgements: acknowledgementsSchema,
  tls: tlsClient().optional(),
}).superRefine((c, ctx) => {
  // Zod runs this even when `endpoint` failed its own check: only look at a URL that parses.
  let url: URL;
  try {
    url = new URL(c.endpoint);
  } catch {
    return;
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/services\/collector(\/.*)?$/.test(path)) {
    ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'expected the HEC base URL (e.g. https://splunk.example.com:8088), without /services/collector…' });
  }
  if (url.search !== '') {
    ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'the endpoint must not carry a query string' });
  }
});

export type SplunkHecSinkConfig = z.infer<typeof splunkHecSinkSchema>;
