/**
 * `prometheus_exporter` sink config: common sink keys + address, expire_secs, max_series,
 * counter_mode, namespace, auth_token.
 */
import { z, listenAddress, posInt, posNumber, secret } from '../../src/core/schema.js';
import { sinkSchema } from '../../src/delivery/config.js';

export const prometheusExporterSchema = sinkSchema({
  /** Where `/metrics` is served (Vector's prometheus_exporter default port). */
  address: listenAddress().default('127.0.0.1:9598'),
  /** A series not updated for this long leaves the exposition (stale label sets do not pile up). */
  expire_secs: posNumber().default(300),
  /** Upper bound of series held; events of new series beyond it are discarded (reason series_limit). */
  max_series: posInt().default(10_000),
  /** auto (default): each event's `absolute` flag decides; absolute: a counter event's value is the
   *  running total (set); incremental: it is added. */
  counter_mode: z.enum(['auto', 'absolute', 'incremental'], { error: 'expected auto, absolute or incremental' }).default('auto'),
  /** Prefix as `<namespace>_<name>`. */
  namespace: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'expected a metric name prefix ([a-zA-Z_][a-zA-Z0-9_]*)' }).optional(),
  /** When set, scrapes need `Authorization: Bearer <token>`. */
  auth_token: secret().optional(),
}).superRefine((c, ctx) => {
  if (c.buffer.type === 'disk') ctx.addIssue({ code: 'custom', path: ['buffer', 'type'], message: 'prometheus_exporter keeps the latest values in memory; a disk buffer would only delay them' });
});

export type PrometheusExporterConfig = z.infer<typeof prometheusExporterSchema>;
