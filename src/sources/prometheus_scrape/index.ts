/** The `prometheus_scrape` source: Prometheus text-format endpoints → MetricEvents (README.md here). */
import type { SourceDef } from '../../core/component.js';
import { prometheusScrapeSchema, type PrometheusScrapeConfig } from './config.js';

export const prometheusScrapeSource: SourceDef<PrometheusScrapeConfig> = {
  kind: 'source',
  type: 'prometheus_scrape',
  schema: prometheusScrapeSchema,
  build: async (config, ctx) => new (await import('./source.js')).PrometheusScrapeSource(config, ctx),
};
