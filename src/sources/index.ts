/** All source types. */
import type { SourceDef } from '../core/component.js';
import { fileSource } from './file/index.js';
import { demoSource } from './demo/index.js';
import { internalMetricsSource } from './internal_metrics/index.js';
import { kafkaSource } from './kafka/index.js';
import { prometheusScrapeSource } from './prometheus_scrape/index.js';

export const sourceDefs: SourceDef[] = [fileSource, demoSource, internalMetricsSource, kafkaSource, prometheusScrapeSource];
