/** All source types. */
import type { SourceDef } from '../core/component.js';
import { fileSource } from './file/index.js';
import { demoSource } from './demo/index.js';
import { internalMetricsSource } from './internal_metrics/index.js';
import { kafkaSource } from './kafka/index.js';
import { httpServerSource } from './http_server/index.js';
import { syslogSource } from './syslog/index.js';
import { fastlyRealtimeSource } from './fastly_realtime/index.js';
import { prometheusScrapeSource } from './prometheus_scrape/index.js';

export const sourceDefs: SourceDef[] = [fileSource, demoSource, internalMetricsSource, kafkaSource, httpServerSource, syslogSource, fastlyRealtimeSource, prometheusScrapeSource];
