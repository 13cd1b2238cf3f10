/**
 * The running demo source. Every ~100 ms it generates the lines due at `rate`, writes them as the
 * logs each layer would produce (edge → fastly_json, origin → gcs_usage) and parses them back with
 * the real formats, so the demo exercises the same parsing as production input. Timestamps are
 * wall-clock (live); `time_scale` only speeds up the scenario's progress.
 */
import type { Source, SourceContext } from '../../core/component.js';
import type { Event } from '../../core/event.js';
import { Finalizer } from '../../core/finalizer.js';
import { errorMessage } from '../../core/errors.js';
import { getFormat, ParseFailure, toLogEvent, type Format } from '../../formats/index.js';
import type { DemoSourceConfig } from './config.js';
import { CutoverScenario } from './scenario.js';
import { toFastlyJson, toGcsUsage } from './writers.js';

const TICK_MS = 100;
/** DESIGN.md: batches of up to ~1000 events. */
const MAX_BATCH = 1000;
/** After a stall (backpressure, a busy event loop) at most this much backlog is made up. */
const MAX_CATCH_UP_MS = 1000;

export class DemoSource implements Source {
  readonly finished: Promise<void> | undefined;
  private readonly scenario: CutoverScenario;
  private readonly edgeFormat: Format;
  private readonly originFormat: Format;
  private seq = 0;
  private acked = 0;
  private parseFailures = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private resolveFinished: (() => void) | undefined;
  private startMs = 0;

  constructor(
    private readonly config: DemoSourceConfig,
    private readonly ctx: SourceContext,
  ) {
    // Throws "format … is not available" when a parser is missing: a build-time error, not a
    // stream of parse failures.
    this.edgeFormat = getFormat('fastly_json');
    this.originFormat = getFormat('gcs_usage');
    this.scenario = new CutoverScenario({ seed: config.seed, startMs: Date.now(), durationSecs: config.duration_secs });
    this.finished =
      config.max_lines === undefined ? undefined : new Promise<void>((resolve) => (this.resolveFinished = resolve));
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.startMs = Date.now();
    this.ctx.signal.addEventListener('abort', () => this.halt(), { once: true });
    this.loop = this.run().catch((err: unknown) => {
      this.ctx.metrics.error('generate_failed', 'processing');
      this.ctx.logger.error({ err: errorMessage(err) }, 'demo source stopped after an error');
    });
  }

  async stop(): Promise<void> {
    this.halt();
    await this.loop;
    this.resolveFinished?.();
  }

  describe(): Record<string, unknown> {
    const scenarioNow = this.scenarioTime(Date.now());
    return {
      scenario: this.config.scenario,
      rate: this.config.rate,
      seed: this.config.seed,
      emitted: this.seq,
      acknowledged: this.acked,
      parse_failures: this.parseFailures,
      progress: this.loop ? this.scenario.progress(scenarioNow) : 0,
      bypass_share: this.scenario.bypassShare(scenarioNow),
    };
  }

  private halt(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private scenarioTime(now: number): number {
    return this.startMs + (now - this.startMs) * this.config.time_scale;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.wake = undefined;
        resolve();
      }, ms);
    });
  }

  private async run(): Promise<void> {
    const { rate, max_lines: maxLines } = this.config;
    // As if one tick had already passed, so that the first batch leaves at once.
    let last = Date.now() - TICK_MS;
    let credit = 0;
    while (!this.stopped) {
      const now = Date.now();
      credit += (Math.min(now - last, MAX_CATCH_UP_MS) * rate) / 1000;
      let due = Math.floor(credit);
      if (maxLines !== undefined) due = Math.min(due, maxLines - this.seq);
      if (due > 0) {
        credit -= due;
        // Spread the batch's timestamps over the time it covers, so per-second rollups are smooth.
        const span = Math.min(now - last, MAX_CATCH_UP_MS);
        for (let done = 0; done < due && !this.stopped; ) {
          const n = Math.min(MAX_BATCH, due - done);
          const events = this.generate(n, now - span, span / due, done);
          done += n;
          if (events.length > 0) await this.emit(events);
        }
      }
      last = now;
      if (maxLines !== undefined && this.seq >= maxLines) {
        this.resolveFinished?.();
        return;
      }
      if (!this.stopped) await this.sleep(TICK_MS);
    }
  }

  /** Lines `offset … offset+n` of a tick that started at `from` with one line every `step` ms. */
  private generate(n: number, from: number, step: number, offset: number): Event[] {
    const { id } = this.ctx;
    const prefix = `${id}:${this.config.seed}:`;
    const events: Event[] = [];
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const ts = Math.round(from + step * (offset + i + 1));
      const rec = this.scenario.next(this.scenarioTime(ts), ts);
      const edge = rec.layer === 'edge';
      // GCS logs the completion time: shift the start back so that the origin line is "now" too.
      if (!edge) rec.timestamp = ts - Math.floor(rec.elapsed_us / 1000);
      const line = edge ? toFastlyJson(rec) : toGcsUsage(rec);
      const outcome = (edge ? this.edgeFormat : this.originFormat).parse(line);
      if (outcome instanceof ParseFailure) this.parseFailures++;
      const ev = toLogEvent(outcome, line, id, prefix + this.seq, ts, line.length);
      this.seq++;
      if (ev) {
        events.push(ev);
        bytes += line.length;
      }
    }
    this.ctx.metrics.received(events.length, bytes);
    return events;
  }

  private emit(events: Event[]): Promise<void> {
    const count = events.length;
    const fin = new Finalizer(() => {
      this.acked += count;
    });
    return this.ctx.emit(events, fin);
  }
}
