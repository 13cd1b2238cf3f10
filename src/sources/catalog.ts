/**
 * Every source type and how to load its definition. The config registry imports only the types a
 * config names, so an agent does not pay (memory, startup) for the others. Keep in step with
 * index.ts (test/unit/config/registry.test.ts checks both list the same types).
 */
import type { SourceDef } from '../core/component.js';

export const sourceLoaders: ReadonlyArray<readonly [string, () => Promise<SourceDef>]> = [
  ['file', async () => (await import('./file/index.js')).fileSource],
  ['demo', async () => (await import('./demo/index.js')).demoSource],
  ['internal_metrics', async () => (await import('./internal_metrics/index.js')).internalMetricsSource],
  ['kafka', async () => (await import('./kafka/index.js')).kafkaSource],
  ['http_server', async () => (await import('./http_server/index.js')).httpServerSource],
  ['syslog', async () => (await import('./syslog/index.js')).syslogSource],
  ['fastly_realtime', async () => (await import('./fastly_realtime/index.js')).fastlyRealtimeSource],
  ['prometheus_scrape', async () => (await import('./prometheus_scrape/index.js')).prometheusScrapeSource],
];
