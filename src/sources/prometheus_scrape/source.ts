/**
 * Every `interval_secs`, GETs each endpoint (concurrently, each with its own timeout), parses the
 * text exposition once and emits one batch of MetricEvents per endpoint. A failing endpoint is
 * counted (errors_total{error_type, stage=receiving}) and logged, and never holds the others up.
 */
import type { Source, SourceContext } from '../../core/component.js';
import { errorMessage } from '../../core/errors.js';
import { HttpClient, bodyExcerpt, classifyNetworkError, redact } from '../../delivery/http.js';
import { DeltaTracker } from '../internal_metrics/convert.js';
import type { PrometheusScrapeConfig } from './config.js';
import { convertExposition } from './convert.js';

const ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

interface Target {
  url: string;
  tags: Record<string, string> | undefined;
  delta: DeltaTracker | undefined;
  lastSuccess: number;
  scrapes: number;
  failures: number;
  lastError: string | undefined;
}

export class PrometheusScrapeSource implements Source {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;
  private ticks = 0;
  private readonly client: HttpClient;
  private readonly targets: Target[];
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(
    private readonly config: PrometheusScrapeConfig,
    private readonly ctx: SourceContext,
  ) {
    this.client = new HttpClient({ tls: config.tls, maxSockets: 4 });
    this.timeoutMs = (config.timeout_secs ?? Math.min(10, config.interval_secs)) * 1000;
    this.headers = { accept: ACCEPT };
    if (config.auth) this.headers.authorization = `Bearer ${config.auth.bearer.reveal()}`;
    const now = Date.now();
    this.targets = config.endpoints.map((url) => {
      let tags: Record<string, string> | undefined;
      if (config.instance_tag) (tags ??= {})[config.instance_tag] = new URL(url).host;
      if (config.endpoint_tag) (tags ??= {})[config.endpoint_tag] = url;
      return { url, tags, delta: config.counter_mode === 'incremental' ? new DeltaTracker() : undefined, lastSuccess: now, scrapes: 0, failures: 0, lastError: undefined };
    });
  }

  async start(): Promise<void> {
    this.ctx.signal.addEventListener('abort', () => this.halt(), { once: true });
    // The first scrape runs at once: a pipeline shows data without waiting a whole interval.
    this.run();
  }

  async stop(): Promise<void> {
    this.halt();
    await this.inFlight;
    this.client.close();
  }

  describe(): Record<string, unknown> {
    return {
      interval_secs: this.config.interval_secs,
      ticks: this.ticks,
      endpoints: this.targets.map((t) => ({ url: redactUrl(t.url), scrapes: t.scrapes, failures: t.failures, last_error: t.lastError })),
    };
  }

  private halt(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    if (this.stopped) return;
    const started = Date.now();
    this.inFlight = this.tick().finally(() => {
      this.inFlight = undefined;
      if (this.stopped) return;
      // A chain of timeouts: a slow scrape or emit (backpressure) delays the next one, never overlaps it.
      this.timer = setTimeout(() => this.run(), Math.max(0, this.config.interval_secs * 1000 - (Date.now() - started)));
    });
  }

  private async tick(): Promise<void> {
    const n = this.ticks++;
    await Promise.all(this.targets.map((t, i) => this.scrape(t, `${this.ctx.id}:${i}:${n}:`)));
    const now = Date.now();
    let lag = 0;
    for (const t of this.targets) lag = Math.max(lag, (now - t.lastSuccess) / 1000);
    this.ctx.metrics.lag(lag);
  }

  private async scrape(t: Target, idPrefix: string): Promise<void> {
    // A plain controller and timer, not AbortSignal.any/timeout: on Node 20 those can be collected
    // before they fire (observed here: a hung endpoint's request then never ended).
    const ctl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, this.timeoutMs);
    const onStop = () => ctl.abort();
    this.ctx.signal.addEventListener('abort', onStop, { once: true });
    try {
      await this.fetchAndEmit(t, idPrefix, ctl.signal, () => timedOut);
    } finally {
      clearTimeout(timer);
      this.ctx.signal.removeEventListener('abort', onStop);
    }
  }

  private async fetchAndEmit(t: Target, idPrefix: string, signal: AbortSignal, timedOutFn: () => boolean): Promise<void> {
    const secrets = this.config.auth ? [this.config.auth.bearer] : undefined;
    const max = this.config.max_body_bytes;
    let text: string;
    try {
      const res = await this.client.request({ method: 'GET', url: t.url, headers: this.headers, signal, maxResponseBytes: max + 1 });
      if (res.status < 200 || res.status >= 300) {
        const ex = redact(bodyExcerpt(res.body), secrets);
        return this.failed(t, 'http_error', `HTTP ${res.status}${ex ? `: ${ex}` : ''}`);
      }
      if (res.body.length > max) return this.failed(t, 'body_too_large', `response larger than max_body_bytes (${max})`);
      text = res.body.toString('utf8');
    } catch (err) {
      if (this.stopped) return;
      const timedOut = timedOutFn();
      return this.failed(t, timedOut ? 'timeout' : 'request_failed', timedOut ? `timed out after ${this.timeoutMs} ms` : classifyNetworkError(err, undefined, secrets).reason);
    }
    const now = Date.now();
    let events;
    try {
      const r = convertExposition(text, { source: this.ctx.id, idPrefix, now, honorTimestamps: this.config.honor_timestamps, extraTags: t.tags });
      events = r.events;
      if (r.skipped > 0) this.ctx.metrics.discarded(r.skipped, 'non_finite_value');
    } catch (err) {
      return this.failed(t, 'parse_failed', `exposition did not parse: ${errorMessage(err)}`, 'decoding');
    }
    t.scrapes++;
    t.lastSuccess = now;
    t.lastError = undefined;
    if (t.delta) t.delta.apply(events);
    else DeltaTracker.markAbsolute(events);
    this.ctx.metrics.received(events.length, text.length);
    if (events.length === 0 || this.stopped) return;
    try {
      await this.ctx.emit(events);
    } catch (err) {
      if (!this.stopped) this.ctx.logger.warn({ err: errorMessage(err) }, 'emit failed');
    }
  }

  private failed(t: Target, errorType: string, reason: string, stage = 'receiving'): void {
    t.failures++;
    t.lastError = reason;
    this.ctx.metrics.error(errorType, stage);
    this.ctx.logger.warn({ endpoint: redactUrl(t.url), error_type: errorType, reason }, 'scrape failed');
  }
}

/** URLs may carry credentials (user:password@) or tokens in the query: neither is logged. */
function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.username || u.password) {
    u.username = 'redacted';
    u.password = '';
  }
  if (u.search) u.search = '?…';
  return u.toString();
}
