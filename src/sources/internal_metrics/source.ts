/** Every `interval_secs`, reads edgetail's own metrics (ctx.getMetrics) and emits them as MetricEvents. */
import type { Source, SourceContext } from '../../core/component.js';
import { errorMessage } from '../../core/errors.js';
import type { InternalMetricsConfig } from './config.js';
import { convertMetrics, DeltaTracker } from './convert.js';

export class InternalMetricsSource implements Source {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;
  private ticks = 0;
  private emitted = 0;
  private readonly delta: DeltaTracker | undefined;

  constructor(
    private readonly config: InternalMetricsConfig,
    private readonly ctx: SourceContext,
  ) {
    this.delta = config.counter_mode === 'incremental' ? new DeltaTracker() : undefined;
  }

  async start(): Promise<void> {
    if (!this.ctx.getMetrics) this.ctx.logger.warn('no metrics registry available: internal_metrics will emit nothing');
    this.ctx.signal.addEventListener('abort', () => this.halt(), { once: true });
    this.schedule();
  }

  async stop(): Promise<void> {
    this.halt();
    await this.inFlight;
  }

  describe(): Record<string, unknown> {
    return { interval_secs: this.config.interval_secs, scrapes: this.ticks, emitted: this.emitted };
  }

  private halt(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A chain of timeouts, not setInterval: a slow emit (backpressure) delays the next read. */
  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.tick().finally(() => {
        this.inFlight = undefined;
        this.schedule();
      });
    }, this.config.interval_secs * 1000);
  }

  private async tick(): Promise<void> {
    const get = this.ctx.getMetrics;
    if (!get || this.stopped) return;
    const n = this.ticks++;
    try {
      const metrics = await get();
      const events = convertMetrics(metrics, {
        source: this.ctx.id,
        idPrefix: `${this.ctx.id}:${n}:`,
        timestamp: Date.now(),
        namespace: this.config.namespace,
      });
      if (this.delta) this.delta.apply(events);
      else DeltaTracker.markAbsolute(events);
      if (events.length === 0) return;
      this.ctx.metrics.received(events.length, 0);
      this.emitted += events.length;
      await this.ctx.emit(events);
    } catch (err) {
      this.ctx.metrics.error('read_failed', 'receiving');
      this.ctx.logger.warn({ err: errorMessage(err) }, 'reading internal metrics failed');
    }
  }
}
