/**
 * The running graph: builds components from a validated config, wires sources → transforms → sinks,
 * and owns start / stop / drain. Backpressure: a source's emit() resolves only when every sink it
 * reaches has accepted the batch into its buffer.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ComponentContext, Logger, Source, SourceContext, SourceDef, Transform, TransformDef } from '../core/component.js';
import { sourcePeekKeys, splicesFields } from './splice.js';
import type { Event } from '../core/event.js';
import type { Finalizer } from '../core/finalizer.js';
import { errorMessage } from '../core/errors.js';
import type { AnySinkDriver, SinkDef } from '../delivery/types.js';
import { SinkRunner } from '../delivery/runner.js';
import { DEFAULT_BATCH } from '../delivery/config.js';
import type { CommonSinkConfig } from '../delivery/config.js';
import type { Telemetry } from '../telemetry/metrics.js';
import { splitInput } from '../config/graph.js';
import type { ComponentSpec, ValidatedConfig } from '../config/validate.js';
import { route, type Target, type TransformTarget } from './wiring.js';
import { DataDirLock } from './data-dir-lock.js';

interface SourceNode {
  spec: ComponentSpec;
  source: Source;
  abort: AbortController;
  targets: Target[];
  metrics: ComponentContext['metrics'];
  state: 'built' | 'running' | 'stopped' | 'failed';
  lastError?: string;
}

interface SinkNode {
  spec: ComponentSpec;
  runner: SinkRunner;
}

export interface TopologyOptions {
  telemetry: Telemetry;
  logger: Logger;
}

export class Topology {
  private readonly sources: SourceNode[] = [];
  private readonly transforms = new Map<string, { spec: ComponentSpec; target: TransformTarget; periodic: boolean }>();
  private readonly sinks: SinkNode[] = [];
  private readonly runners: SinkRunner[] = [];
  private stopping = false;
  /** data_dir/.lock, held from build to the end of stop(). */
  private lock: DataDirLock | undefined;
  readonly dataDir: string;

  private constructor(
    private readonly config: ValidatedConfig,
    private readonly opts: TopologyOptions,
  ) {
    this.dataDir = resolve(config.dataDir);
  }

  static async build(config: ValidatedConfig, opts: TopologyOptions): Promise<Topology> {
    const t = new Topology(config, opts);
    try {
      await t.buildAll();
    } catch (err) {
      t.lock?.release();
      throw err;
    }
    return t;
  }

  private context(spec: ComponentSpec): ComponentContext {
    const { telemetry, logger } = this.opts;
    return {
      id: spec.id,
      type: spec.type,
      dataDir: this.dataDir,
      logger: logger.child({ component_id: spec.id, component_type: spec.type }),
      metrics: telemetry.component(spec.id, spec.type, spec.kind),
      getMetrics: async () => (await telemetry.registry.getMetricsAsJSON()) as never,
    };
  }

  private async buildAll(): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true });
    this.lock = DataDirLock.acquire(this.dataDir);
    const specs = this.config.components;

    // Sinks first: they are the leaves every route ends in.
    for (const spec of specs.filter((s) => s.kind === 'sink')) {
      const def = spec.def as SinkDef<any, AnySinkDriver>;
      const ctx = this.context(spec);
      const driver = await def.build(spec.config, ctx);
      const runner = new SinkRunner({
        id: spec.id,
        type: spec.type,
        config: spec.config as unknown as CommonSinkConfig,
        batchDefaults: { ...DEFAULT_BATCH, ...(def.batchDefaults ?? {}) },
        driver,
        ctx: ctx as never,
      });
      this.sinks.push({ spec, runner });
      this.runners.push(runner);
    }
    for (const spec of specs.filter((s) => s.kind === 'transform')) {
      const def = spec.def as TransformDef;
      const ctx = this.context(spec);
      const transform = (await def.build(spec.config, ctx)) as Transform;
      const named = spec.outputs ? new Map<string, Target[]>(spec.outputs.map((o) => [o, []])) : undefined;
      const target: TransformTarget = { kind: 'transform', id: spec.id, transform, metrics: ctx.metrics, clone: false, next: [], named };
      this.transforms.set(spec.id, { spec, target, periodic: typeof transform.start === 'function' });
    }
    const sourceTargets = new Map<string, Target[]>();
    for (const spec of specs.filter((s) => s.kind === 'source')) sourceTargets.set(spec.id, []);

    // Wire consumers to their inputs.
    const link = (ref: string, target: Target) => {
      const { id, output } = splitInput(ref);
      const src = sourceTargets.get(id);
      if (src) return void src.push(target);
      const t = this.transforms.get(id)!.target;
      if (output !== undefined) t.named!.get(output)!.push(target);
      else t.next.push(target);
    };
    this.sinks.forEach((s, index) => {
      const def = s.spec.def as SinkDef;
      for (const ref of s.spec.inputs) link(ref, { kind: 'sink', id: s.spec.id, index, accepts: def.accepts });
    });
    for (const { spec, target } of this.transforms.values()) for (const ref of spec.inputs) link(ref, target);
    // Mutating transforms get their own copies when their input also feeds someone else.
    for (const { spec, target } of this.transforms.values()) {
      target.clone = !!target.transform.mutates && spec.inputs.some((ref) => fanOutOf(ref, sourceTargets, this.transforms) > 1);
    }

    for (const spec of specs.filter((s) => s.kind === 'source')) {
      const def = spec.def as SourceDef;
      const abort = new AbortController();
      const targets = sourceTargets.get(spec.id)!;
      const base = this.context(spec);
      const node: SourceNode = { spec, source: undefined as unknown as Source, abort, targets, metrics: base.metrics, state: 'built' };
      const sinkSpecs = targets.map((t) => (t.kind === 'sink' ? this.sinks[t.index]!.spec : undefined));
      const fieldsAsJson = targets.length > 0 && sinkSpecs.every((s) => s !== undefined && splicesFields(s.type, s.config));
      const peekKeys = fieldsAsJson ? sourcePeekKeys(sinkSpecs as Array<{ type: string; config: unknown }>) : undefined;
      const ctx: SourceContext = { ...base, signal: abort.signal, emit: (events, fin) => this.dispatch(node, events, fin), fieldsAsJson, peekKeys };
      node.source = await def.build(spec.config, ctx);
      this.sources.push(node);
    }
  }

  /** The hot path: transforms run synchronously, then each reached sink accepts its share. */
  private dispatch(node: SourceNode, events: Event[], fin: Finalizer | undefined): Promise<void> {
    node.metrics.sent(events.length, 0);
    const acc: (Event[] | undefined)[] = new Array(this.runners.length);
    route(node.targets, events, acc, (id, err) => this.onTransformError(id, err));
    return this.deliver(acc, fin);
  }

  private deliver(acc: (Event[] | undefined)[], fin: Finalizer | undefined): Promise<void> {
    let pending: Promise<void>[] | undefined;
    if (fin) for (let i = 0; i < acc.length; i++) if (acc[i] && acc[i]!.length > 0) fin.retain();
    for (let i = 0; i < acc.length; i++) {
      const evs = acc[i];
      if (!evs || evs.length === 0) continue;
      const p = this.runners[i]!.accept(evs, fin);
      (pending ??= []).push(p);
    }
    // The creator's reference: released once the batch is handed to every sink (or reached none).
    if (fin) fin.release('delivered');
    if (!pending) return Promise.resolve();
    return pending.length === 1 ? pending[0]! : Promise.all(pending).then(() => undefined);
  }

  /** Timer-driven output (periodic transforms) has no source to push back on: log a refusal. */
  private deliverDetached(acc: (Event[] | undefined)[]): void {
    this.deliver(acc, undefined).catch((err: unknown) => this.opts.logger.warn({ err: errorMessage(err) }, 'periodic transform output not accepted'));
  }

  private onTransformError(id: string, err: unknown): void {
    const t = this.transforms.get(id);
    t?.target.metrics.error('transform_failed', 'processing');
    this.opts.logger.error({ component_id: id, err: errorMessage(err) }, 'transform failed; batch passed on unchanged');
  }

  async start(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.start()));
    for (const t of this.transforms.values()) {
      if (!t.periodic) continue;
      t.target.transform.start!((events) => {
        const acc: (Event[] | undefined)[] = new Array(this.runners.length);
        route(t.target.next, events, acc, (id, err) => this.onTransformError(id, err));
        this.deliverDetached(acc);
      });
    }
    for (const s of this.sources) {
      try {
        await s.source.start();
        s.state = 'running';
      } catch (err) {
        s.state = 'failed';
        s.lastError = errorMessage(err);
        throw new Error(`source ${s.spec.id} failed to start: ${s.lastError}`, { cause: err });
      }
    }
  }

  /** Resolves when every bounded source (with `finished`) is done. */
  async sourcesFinished(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.source.finished ?? new Promise<void>(() => {})));
  }

  /**
   * Graceful shutdown: stop sources, flush periodic transforms, drain sinks until the deadline, then
   * let sources persist checkpoints of whatever was finalized.
   */
  async stop(deadlineMs = this.config.shutdownTimeoutSecs * 1000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const deadline = Date.now() + deadlineMs;
    for (const s of this.sources) s.abort.abort();
    const sourcesStopped = Promise.all(
      this.sources.map(async (s) => {
        try {
          await s.source.stop();
        } catch (err) {
          this.opts.logger.warn({ component_id: s.spec.id, err: errorMessage(err) }, 'source stop failed');
        }
        s.state = 'stopped';
      }),
    );
    // Let sources finish the emit they are in. One blocked on a full buffer (when_full: block) is
    // released by the drain below, which closes the buffers; so this wait is bounded.
    await within(sourcesStopped, Math.min(5000, Math.max(0, deadline - Date.now()) / 2));
    for (const t of this.transforms.values()) {
      if (!t.target.transform.stop) continue;
      const rest = t.target.transform.stop();
      if (rest.length === 0) continue;
      const acc: (Event[] | undefined)[] = new Array(this.runners.length);
      route(t.target.next, rest, acc, (id, err) => this.onTransformError(id, err));
      this.deliverDetached(acc);
    }
    await Promise.all(this.runners.map((r) => r.drain(Math.max(0, deadline - Date.now()))));
    await within(sourcesStopped, Math.max(1000, deadline - Date.now()));
    await Promise.all(this.sources.map((s) => s.source.close?.().catch((err: unknown) => this.opts.logger.warn({ component_id: s.spec.id, err: errorMessage(err) }, 'checkpoint persist failed'))));
    this.lock?.release();
  }

  health(): { ready: boolean; sinks: Record<string, ReturnType<SinkRunner['health']>> } {
    const sinks: Record<string, ReturnType<SinkRunner['health']>> = {};
    let ready = !this.stopping;
    for (const s of this.sinks) {
      const h = s.runner.health();
      sinks[s.spec.id] = h;
      if (!h.healthy || h.bufferFill > 0.9) ready = false;
    }
    return { ready, sinks };
  }

  describe(): Record<string, unknown> {
    return {
      sources: this.sources.map((s) => ({ id: s.spec.id, type: s.spec.type, state: s.state, last_error: s.lastError, ...(s.source.describe?.() ?? {}) })),
      transforms: [...this.transforms.values()].map((t) => ({ id: t.spec.id, type: t.spec.type, inputs: t.spec.inputs, outputs: t.spec.outputs, ...(t.target.transform.describe?.() ?? {}) })),
      sinks: this.sinks.map((s) => ({ id: s.spec.id, type: s.spec.type, inputs: s.spec.inputs, ...s.runner.describe() })),
    };
  }
}

/** Waits for `p`, but no longer than `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function fanOutOf(ref: string, sourceTargets: Map<string, Target[]>, transforms: Map<string, { target: TransformTarget }>): number {
  const { id, output } = splitInput(ref);
  const s = sourceTargets.get(id);
  if (s) return s.length;
  const t = transforms.get(id)?.target;
  if (!t) return 0;
  return output !== undefined ? (t.named?.get(output)?.length ?? 0) : t.next.length;
}
