/**
 * Polls one service of the rt API: `ts/0` (or `ts/h`) first, then `ts/{Timestamp}` of the previous
 * answer. The server holds a request until data exists (long poll), so a healthy loop simply asks
 * again; after "No data available" or a failure it backs off (exponential, full jitter, Retry-After
 * honoured). A rejected key (401/403) is logged once per episode at error level, kept in `state`
 * (shown in /api/topology) and retried at the longest backoff, so a fixed key recovers by itself.
 */
import type { SourceContext } from '../../core/component.js';
import { errorMessage } from '../../core/errors.js';
import type { Secret } from '../../core/secret.js';
import { HttpClient, classifyNetworkError } from '../../delivery/http.js';
import { retryDelayMs, type Timing } from '../../delivery/retry.js';
import type { FastlyRealtimeConfig } from './config.js';
import { entriesToMetrics } from './convert.js';
import { classifyPoll, type PollOutcome } from './poll.js';

export type PollerState = 'starting' | 'ok' | 'no_data' | 'unauthorized' | 'error';

export interface PollerStatus {
  service_id: string;
  state: PollerState;
  cursor: number;
  polls: number;
  entries: number;
  emitted: number;
  last_error: string | undefined;
  /** Newest `recorded` second seen. */
  newest: number | undefined;
}

export class ServicePoller {
  readonly status: PollerStatus;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  #failures = 0;

  constructor(
    private readonly serviceId: string,
    private readonly config: FastlyRealtimeConfig,
    private readonly ctx: SourceContext,
    private readonly client: HttpClient,
    private readonly timing: Timing,
    apiKey: Secret,
  ) {
    this.#url = `${config.endpoint.replace(/\/+$/, '')}/v1/channel/${encodeURIComponent(serviceId)}/ts/`;
    this.#headers = { 'fastly-key': apiKey.reveal(), accept: 'application/json' };
    this.status = { service_id: serviceId, state: 'starting', cursor: 0, polls: 0, entries: 0, emitted: 0, last_error: undefined, newest: undefined };
  }

  /** Runs until the context's signal aborts. */
  async run(): Promise<void> {
    const signal = this.ctx.signal;
    const c = this.config;
    let first = true;
    while (!signal.aborted) {
      const started = this.timing.now();
      const path = first && c.start_at === 'history' ? 'h' : String(this.status.cursor);
      const outcome = await this.#poll(path);
      if (signal.aborted) return;
      this.status.polls++;
      let waitMs: number;
      switch (outcome.kind) {
        case 'data':
          first = false;
          await this.#emit(outcome.data);
          this.status.cursor = Math.max(this.status.cursor, outcome.timestamp);
          this.#recovered('ok');
          waitMs = c.interval_secs * 1000 - (this.timing.now() - started);
          break;
        case 'no_data':
          first = false;
          if (outcome.timestamp !== undefined) this.status.cursor = Math.max(this.status.cursor, outcome.timestamp);
          this.#recovered('no_data');
          waitMs = this.#backoff(undefined, c.interval_secs * 1000);
          break;
        case 'unauthorized':
          if (this.status.state !== 'unauthorized') {
            this.ctx.logger.error({ service_id: this.serviceId, status: outcome.status }, `rt API rejected the Fastly-Key (${outcome.reason}): check api_key and its access to this service`);
          }
          this.ctx.metrics.error('unauthorized', 'receiving');
          this.status.state = 'unauthorized';
          this.status.last_error = outcome.reason;
          this.#failures++;
          waitMs = c.retry_max_backoff_secs * 1000;
          break;
        case 'error':
          if (this.status.state !== 'error') this.ctx.logger.warn({ service_id: this.serviceId, err: outcome.reason }, 'rt API poll failed; backing off');
          this.ctx.metrics.error('poll_failed', 'receiving');
          this.status.state = 'error';
          this.status.last_error = outcome.reason;
          waitMs = this.#backoff(outcome.afterMs);
          this.#failures++;
          break;
      }
      if (waitMs > 0) await this.timing.sleep(waitMs, signal);
    }
  }

  #recovered(state: 'ok' | 'no_data'): void {
    if (this.status.state === 'unauthorized' || this.status.state === 'error') this.ctx.logger.info({ service_id: this.serviceId }, 'rt API polls succeed again');
    if (state === 'ok') this.#failures = 0;
    this.status.state = state;
    this.status.last_error = undefined;
  }

  /** Backoff for the current failure streak; "No data" grows it too, from `floorMs` at least. */
  #backoff(afterMs: number | undefined, floorMs = 0): number {
    const c = this.config;
    const d = retryDelayMs({ initialMs: c.retry_initial_backoff_secs * 1000, maxMs: c.retry_max_backoff_secs * 1000 }, this.#failures, afterMs, this.timing.random);
    if (afterMs === undefined && floorMs > 0) this.#failures++;
    return Math.max(d, floorMs);
  }

  async #poll(path: string): Promise<PollOutcome> {
    const signal = AbortSignal.any([this.ctx.signal, AbortSignal.timeout(this.config.timeout_secs * 1000)]);
    try {
      const res = await this.client.request({ method: 'GET', url: this.#url + path, headers: this.#headers, signal, maxResponseBytes: 64 * 1024 * 1024 });
      return classifyPoll(res.status, res.headers, res.body);
    } catch (err) {
      return { kind: 'error', reason: classifyNetworkError(err, signal).reason };
    }
  }

  async #emit(data: unknown[]): Promise<void> {
    const { events, skipped } = entriesToMetrics(data, {
      source: this.ctx.id,
      serviceId: this.serviceId,
      namespace: this.config.namespace,
      aggregated: this.config.aggregated,
      datacenter: this.config.datacenter,
    });
    if (skipped > 0) this.ctx.metrics.discarded(skipped, 'malformed_entry');
    this.status.entries += data.length - skipped;
    let newest = this.status.newest ?? 0;
    for (const d of data) {
      const r = (d as { recorded?: unknown }).recorded;
      if (typeof r === 'number' && r > newest) newest = r;
    }
    if (newest > 0) {
      this.status.newest = newest;
      this.ctx.metrics.lag(Math.max(0, Date.now() / 1000 - newest));
    }
    if (events.length === 0) return;
    this.ctx.metrics.received(events.length, 0);
    this.status.emitted += events.length;
    try {
      await this.ctx.emit(events);
    } catch (err) {
      this.ctx.logger.warn({ service_id: this.serviceId, err: errorMessage(err) }, 'emitting rt metrics failed');
    }
  }
}
