/**
 * `datadog_logs` sink: `v2.LogsApi.submitLog` of `@datadog/datadog-api-client`, through our transport
 * (transport.ts: async gzip/deflate, keep-alive, Retry-After kept, client retries off).
 *
 * A payload holds the batch's entries already split into intake-sized parts (encode.ts), sent in
 * order by parts.ts: a retry resumes at the first part not accepted, and a 413 splits the refused
 * part in two and sends the halves.
 */
import { v2 } from '@datadog/datadog-api-client';
import type { ComponentContext } from '../../src/core/component.js';
import type { Event } from '../../src/core/event.js';
import { HttpClient } from '../../src/delivery/http.js';
import type { SendResult, SinkDriver } from '../../src/delivery/types.js';
import type { DatadogLogsConfig } from './config.js';
import { splitEntries, toEntries, type EntryOptions, type LogItem } from './encode.js';
import { sendParts } from './parts.js';
import { DatadogTransport, callDatadog, datadogConfiguration, siteUrl } from './transport.js';

export interface DatadogLogsPayload {
  parts: LogItem[][];
  /** Index of the first part not yet accepted. */
  next: number;
  events: number;
  /** Uncompressed JSON bytes of all parts. */
  bytes: number;
}

export function logsBaseUrl(config: Pick<DatadogLogsConfig, 'endpoint' | 'site'>): string {
  return config.endpoint ?? siteUrl('http-intake.logs', config.site);
}

export function buildDatadogLogsSink(config: DatadogLogsConfig, ctx: ComponentContext): SinkDriver<DatadogLogsPayload> {
  const http = new HttpClient({ tls: config.tls });
  const transport = new DatadogTransport(http, config.compression_level);
  const api = new v2.LogsApi(datadogConfiguration(logsBaseUrl(config), config.api_key, transport));
  const secrets = [config.api_key];
  const contentEncoding = config.compression === 'none' ? undefined : config.compression;
  const opts: EntryOptions = {
    ddsource: config.ddsource,
    ddtags: config.ddtags.length > 0 ? config.ddtags.join(',') : undefined,
    service: config.service,
    hostname: config.hostname,
    hostnameField: config.hostname_field,
    raw: config.encoding.codec === 'raw',
    wire: config.encoding,
  };
  const onTruncated = (n: number): void => {
    for (let i = 0; i < n; i++) ctx.metrics.error('entry_truncated', 'encoding');
    ctx.logger.warn({ entries: n }, 'datadog_logs: message over 1 MB truncated');
  };

  const onSplit = (n: number): void => ctx.logger.debug({ entries: n }, 'datadog_logs: 413, splitting the payload in two');
  const submit = (body: LogItem[], signal: AbortSignal) =>
    callDatadog(() => api.submitLog(contentEncoding ? { body, contentEncoding } : { body }), signal, secrets);

  return {
    encode(events: Event[]): DatadogLogsPayload {
      const { parts, bytes } = splitEntries(toEntries(events, opts, onTruncated));
      return { parts, next: 0, events: events.length, bytes };
    },
    send(p: DatadogLogsPayload, signal: AbortSignal): Promise<SendResult> {
      return sendParts(p, (part) => submit(part, signal), onSplit);
    },
    payloadBytes: (p) => p.bytes,
    async close() {
      http.close();
    },
  };
}
