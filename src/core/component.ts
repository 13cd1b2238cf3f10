/**
 * What every component gets from the topology, and what sources and transforms give back.
 * (Sinks give a SinkDriver, defined in src/delivery/types.ts, because delivery wraps them.)
 */
import type { Event } from './event.js';
import type { Finalizer } from './finalizer.js';

export type ComponentKind = 'source' | 'transform' | 'sink';

/** Structured logger (pino-compatible subset). Library code logs only through this. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * The per-component telemetry contract (DESIGN.md): received / sent / discarded / errors, labelled
 * by component_id and component_type. Implemented by src/telemetry/metrics.ts.
 */
export interface ComponentMetrics {
  received(events: number, bytes: number): void;
  sent(events: number, bytes: number): void;
  discarded(events: number, reason: string): void;
  error(errorType: string, stage: string): void;
  /** Sources: how far behind the newest data this source is, in seconds. */
  lag(seconds: number): void;
  /** Partitioned sources (kafka): messages behind the partition's end; `undefined` removes the series
   *  (partition revoked). Optional: not every metrics implementation tracks partitions. */
  partitionLag?(topic: string, partition: number, messages: number | undefined): void;
}

export interface ComponentContext {
  id: string;
  type: string;
  /** Root data directory (checkpoints, buffers, dead letters). Components make their own subfolder. */
  dataDir: string;
  logger: Logger;
  metrics: ComponentMetrics;
  /** edgetail's own metrics as prom-client's getMetricsAsJSON() shape (internal_metrics source). */
  getMetrics?: () => Promise<InternalMetric[]>;
}

export interface InternalMetric {
  name: string;
  help?: string;
  type: string;
  values: Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>;
}

export interface SourceContext extends ComponentContext {
  /**
   * Sends a batch downstream. Resolves when every sink it reaches has accepted it into its buffer:
   * awaiting it is the source's backpressure. When a finalizer is given, the topology retains it once
   * per sink and releases the caller's own (initial) reference once the batch is handed over; the
   * finalizer's callback then fires when every sink has taken the events.
   */
  emit(events: Event[], finalizer?: Finalizer): Promise<void>;
  /** Aborted when the topology asks this source to stop. */
  signal: AbortSignal;
  /**
   * True when every consumer of this source only serializes the fields (sinks that splice the wire
   * JSON, src/topology/splice.ts): the source may then hand fields over as JSON text
   * (LazyLogEvent), serialized once for all sinks and never re-parsed on this thread.
   */
  fieldsAsJson?: boolean;
  /**
   * With fieldsAsJson: the fields those sinks read one by one (peekField); a source that hands over
   * JSON text captures them at parse time (LazyLogEvent's peekKeys / peekValues).
   */
  peekKeys?: readonly string[] | undefined;
}

export interface Source {
  /** Begins producing; resolves once running (not when finished). */
  start(): Promise<void>;
  /** Stops producing; resolves when no emit is in progress any more. */
  stop(): Promise<void>;
  /** Called after sinks have drained (or the deadline passed): persist final checkpoints. */
  close?(): Promise<void>;
  /** Bounded sources (generate --lines, backfill) resolve this when all input has been emitted. */
  finished?: Promise<void>;
  /** Extra state for /api/topology. */
  describe?(): Record<string, unknown>;
}

/** Named outputs of a multi-output transform (route): output name → events. */
export type TransformOutputs = Record<string, Event[]>;

export interface Transform {
  /** Multi-output transforms list their output names; consumers use `inputs: [id.output]`. */
  readonly outputs?: readonly string[];
  /** True when process() mutates events in place: the topology then gives it its own copies when
   *  the upstream output also feeds other consumers. */
  readonly mutates?: boolean;
  /** Synchronous, over a whole batch. Single-output transforms return the events to pass on. */
  process(events: Event[]): Event[] | TransformOutputs;
  /** Periodic transforms (aggregate) emit on a timer through this hook. */
  start?(emit: (events: Event[]) => void): void;
  stop?(): Event[];
  describe?(): Record<string, unknown>;
}

/** The definition a source or transform module exports; the config registry collects them. */
export interface ComponentDef<C = any, T = unknown> {
  kind: ComponentKind;
  type: string;
  /** zod schema of the component's own keys plus the common keys (inputs, …). Unknown keys rejected. */
  schema: import('zod').ZodType<C>;
  build(config: C, ctx: ComponentContext): T | Promise<T>;
  /** Multi-output transforms (route): the output names this config declares. */
  outputs?: (config: C) => string[];
  /** Sinks: kinds of events accepted. */
  accepts?: readonly ('log' | 'metric')[];
}

/** A source module's export. */
export type SourceDef<C = any> = Omit<ComponentDef<C, Source>, 'build' | 'kind'> & {
  kind: 'source';
  build(config: C, ctx: SourceContext): Source | Promise<Source>;
};

/** A transform module's export. */
export type TransformDef<C = any> = Omit<ComponentDef<C, Transform>, 'kind'> & { kind: 'transform' };
