/**
 * edgetail's own metrics (prom-client), one contract for every component (DESIGN.md):
 * edgetail_component_{received,sent}_events_total, ..._discarded_events_total{reason},
 * ..._errors_total{error_type,stage}, edgetail_buffer_{events,bytes},
 * edgetail_sink_request_duration_seconds, edgetail_source_lag_seconds — labelled by component_id
 * and component_type.
 */
import client from 'prom-client';
import type { ComponentMetrics } from '../core/component.js';

export class Telemetry {
  readonly registry: client.Registry;
  readonly receivedEvents: client.Counter<'component_id' | 'component_type'>;
  readonly receivedBytes: client.Counter<'component_id' | 'component_type'>;
  readonly sentEvents: client.Counter<'component_id' | 'component_type'>;
  readonly sentBytes: client.Counter<'component_id' | 'component_type'>;
  readonly discarded: client.Counter<'component_id' | 'component_type' | 'reason'>;
  readonly errors: client.Counter<'component_id' | 'component_type' | 'error_type' | 'stage'>;
  readonly bufferEvents: client.Gauge<'component_id' | 'component_type'>;
  readonly bufferBytes: client.Gauge<'component_id' | 'component_type'>;
  readonly requestDuration: client.Histogram<'component_id' | 'component_type' | 'outcome'>;
  readonly sourceLag: client.Gauge<'component_id' | 'component_type'>;
  readonly retries: client.Counter<'component_id' | 'component_type'>;
  readonly inflight: client.Gauge<'component_id' | 'component_type'>;
  readonly concurrencyLimit: client.Gauge<'component_id' | 'component_type'>;
  readonly corruptRecords: client.Counter<'component_id' | 'component_type'>;
  readonly partitionLag: client.Gauge<'component_id' | 'component_type' | 'topic' | 'partition'>;

  constructor(collectDefault = true) {
    this.registry = new client.Registry();
    const registers = [this.registry];
    const l2 = ['component_id', 'component_type'] as const;
    this.receivedEvents = new client.Counter({ name: 'edgetail_component_received_events_total', help: 'Events received by the component.', labelNames: l2, registers });
    this.receivedBytes = new client.Counter({ name: 'edgetail_component_received_bytes_total', help: 'Bytes received by the component (raw size).', labelNames: l2, registers });
    this.sentEvents = new client.Counter({ name: 'edgetail_component_sent_events_total', help: 'Events sent on by the component (sinks: delivered).', labelNames: l2, registers });
    this.sentBytes = new client.Counter({ name: 'edgetail_component_sent_bytes_total', help: 'Bytes sent by the component (sinks: on the wire).', labelNames: l2, registers });
    this.discarded = new client.Counter({ name: 'edgetail_component_discarded_events_total', help: 'Events discarded, by reason.', labelNames: [...l2, 'reason'], registers });
    this.errors = new client.Counter({ name: 'edgetail_component_errors_total', help: 'Errors, by type and stage.', labelNames: [...l2, 'error_type', 'stage'], registers });
    this.bufferEvents = new client.Gauge({ name: 'edgetail_buffer_events', help: 'Events held in the sink buffer.', labelNames: l2, registers });
    this.bufferBytes = new client.Gauge({ name: 'edgetail_buffer_bytes', help: 'Bytes held in the sink buffer.', labelNames: l2, registers });
    this.requestDuration = new client.Histogram({
      name: 'edgetail_sink_request_duration_seconds',
      help: 'Sink request duration, by outcome (ok, retryable, permanent, error).',
      labelNames: [...l2, 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.sourceLag = new client.Gauge({ name: 'edgetail_source_lag_seconds', help: 'How far behind its newest input the source is.', labelNames: l2, registers });
    this.retries = new client.Counter({ name: 'edgetail_sink_retries_total', help: 'Requests retried.', labelNames: l2, registers });
    this.inflight = new client.Gauge({ name: 'edgetail_sink_inflight_requests', help: 'Requests in flight.', labelNames: l2, registers });
    this.concurrencyLimit = new client.Gauge({ name: 'edgetail_sink_concurrency_limit', help: 'Current (adaptive) concurrency limit.', labelNames: l2, registers });
    this.corruptRecords = new client.Counter({ name: 'edgetail_buffer_corrupt_records_total', help: 'Disk buffer records found corrupt (bad CRC, torn tail) and skipped.', labelNames: l2, registers });
    this.partitionLag = new client.Gauge({
      name: 'edgetail_kafka_consumer_lag_messages',
      help: 'Kafka source: messages between the last fetched offset and the partition end, per assigned partition.',
      labelNames: [...l2, 'topic', 'partition'],
      registers,
    });
    if (collectDefault) client.collectDefaultMetrics({ register: this.registry, prefix: 'edgetail_process_' });
  }

  component(id: string, type: string, kind?: 'source' | 'transform' | 'sink'): ComponentMetrics & SinkMetrics {
    const labels = { component_id: id, component_type: type };
    const recvE = this.receivedEvents.labels(labels);
    const recvB = this.receivedBytes.labels(labels);
    const sentE = this.sentEvents.labels(labels);
    const sentB = this.sentBytes.labels(labels);
    const lag = this.sourceLag.labels(labels);
    const bufE = this.bufferEvents.labels(labels);
    const bufB = this.bufferBytes.labels(labels);
    const retries = this.retries.labels(labels);
    const inflight = this.inflight.labels(labels);
    const limit = this.concurrencyLimit.labels(labels);
    // Initialise the counters so that every component shows all contract metrics from the start.
    this.discarded.labels({ ...labels, reason: 'none' }).inc(0);
    this.errors.labels({ ...labels, error_type: 'none', stage: 'none' }).inc(0);
    recvE.inc(0);
    sentE.inc(0);
    if (kind === 'source') lag.set(0);
    return {
      received: (n, b) => { recvE.inc(n); recvB.inc(b); },
      sent: (n, b) => { sentE.inc(n); sentB.inc(b); },
      discarded: (n, reason) => this.discarded.labels({ ...labels, reason }).inc(n),
      error: (error_type, stage) => this.errors.labels({ ...labels, error_type, stage }).inc(),
      lag: (s) => lag.set(s),
      partitionLag: (topic, partition, messages) => {
        const pl = { ...labels, topic, partition: String(partition) };
        if (messages === undefined) this.partitionLag.remove(pl);
        else this.partitionLag.set(pl, messages);
      },
      buffer: (events, bytes) => { bufE.set(events); bufB.set(bytes); },
      requestDone: (seconds, outcome) => this.requestDuration.labels({ ...labels, outcome }).observe(seconds),
      retried: () => retries.inc(),
      inflight: (n) => inflight.set(n),
      concurrency: (n) => limit.set(n),
      corrupt: (n) => this.corruptRecords.labels(labels).inc(n),
      initSink: () => {
        for (const outcome of ['ok', 'retryable', 'permanent', 'error'] as const) this.requestDuration.zero({ ...labels, outcome });
        retries.inc(0);
        this.corruptRecords.labels(labels).inc(0);
      },
    };
  }
}

/** Extra metrics only sinks report (the delivery runner calls these). */
export interface SinkMetrics {
  buffer(events: number, bytes: number): void;
  requestDone(seconds: number, outcome: 'ok' | 'retryable' | 'permanent' | 'error'): void;
  retried(): void;
  inflight(n: number): void;
  concurrency(n: number): void;
  /** Disk buffer records skipped as corrupt. */
  corrupt?(records: number): void;
  /** Creates the sink-only series at zero (the request histogram), so they show before the first request. */
  initSink?(): void;
}
