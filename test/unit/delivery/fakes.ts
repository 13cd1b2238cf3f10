/** In-memory sink drivers and helpers for the delivery tests. */
import { makeLogEvent, type Event, type LogEvent } from '../../../src/core/event.js';
import { Finalizer, type BatchStatus } from '../../../src/core/finalizer.js';
import { sinkSchema, type CommonSinkConfig } from '../../../src/delivery/config.js';
import type { SendResult, SinkDriver } from '../../../src/delivery/types.js';
import { SinkRunner, type SinkRunnerOptions } from '../../../src/delivery/runner.js';
import { testContext, tempDir } from '../../helpers/context.js';

/** A payload: the event ids of the batch, plus a serial to tell encodes apart. */
export interface Payload {
  ids: string[];
  encodeNo: number;
}

export type Responder = (payload: Payload, attempt: number, signal: AbortSignal) => SendResult | Promise<SendResult>;

export class FakeDriver implements SinkDriver<Payload> {
  encodes = 0;
  /** Every send call, in order. */
  readonly sends: Payload[] = [];
  /** Ids of batches answered ok, in completion order. */
  readonly delivered: string[] = [];
  readonly signals: AbortSignal[] = [];
  inflight = 0;
  maxInflight = 0;
  encodeError: Error | undefined;
  healthError: Error | undefined;
  closed = false;

  constructor(
    public respond: Responder = () => ({ kind: 'ok' }),
    readonly serial = false,
  ) {}

  encode(events: Event[]): Payload {
    if (this.encodeError) throw this.encodeError;
    this.encodes += 1;
    return { ids: events.map((e) => e.id), encodeNo: this.encodes };
  }

  async send(payload: Payload, signal: AbortSignal): Promise<SendResult> {
    const attempt = this.sends.filter((p) => p === payload).length;
    this.sends.push(payload);
    this.signals.push(signal);
    this.inflight += 1;
    this.maxInflight = Math.max(this.maxInflight, this.inflight);
    try {
      const r = await this.respond(payload, attempt, signal);
      if (r.kind === 'ok') this.delivered.push(...payload.ids);
      return r;
    } finally {
      this.inflight -= 1;
    }
  }

  payloadBytes(payload: Payload): number {
    return payload.ids.length * 10;
  }

  async healthcheck(): Promise<void> {
    if (this.healthError) throw this.healthError;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Batch sizes of the ok sends, in order. */
  batchSizes(): number[] {
    return this.sends.map((p) => p.ids.length);
  }
}

/** A promise to open from outside. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** Resolves when `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
}

export function events(prefix: string, n: number, size = 10): LogEvent[] {
  const out: LogEvent[] = [];
  for (let i = 0; i < n; i++) out.push(makeLogEvent('src', `${prefix}${i}`, 1714564800000, { n: i }, undefined, size));
  return out;
}

export function sinkConfig(over: Record<string, unknown> = {}): CommonSinkConfig {
  return sinkSchema({}).parse({ type: 'fake', inputs: ['in'], healthcheck: { enabled: false }, ...over }) as CommonSinkConfig;
}

/** A finalizer whose completions are recorded (should be exactly one). */
export function tracked(): { fin: Finalizer; statuses: BatchStatus[] } {
  const statuses: BatchStatus[] = [];
  return { fin: new Finalizer((s) => statuses.push(s)), statuses };
}

/** Hands a batch to sinks the way the topology does: one retain per sink, then the creator's release. */
export function feed(runners: SinkRunner[], evs: Event[], fin?: Finalizer): Promise<void> {
  if (fin) fin.retain(runners.length);
  const pending = runners.map((r) => r.accept(evs, fin));
  fin?.release('delivered');
  return Promise.all(pending).then(() => undefined);
}

export interface Harness {
  runner: SinkRunner;
  driver: FakeDriver;
  ctx: ReturnType<typeof testContext>;
  dataDir: string;
  cleanup: () => Promise<void>;
}

export function harness(config: CommonSinkConfig, driver = new FakeDriver(), extra: Partial<SinkRunnerOptions> = {}, id = 'fake'): Harness {
  const dir = tempDir();
  const ctx = testContext(id, 'fake', dir.path);
  const runner = new SinkRunner({ id, type: 'fake', config, driver, ctx, ...extra });
  return {
    runner,
    driver,
    ctx,
    dataDir: dir.path,
    cleanup: async () => {
      await runner.drain(0);
      dir.cleanup();
    },
  };
}
