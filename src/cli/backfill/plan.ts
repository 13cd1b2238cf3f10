/**
 * Turns a validated `edgetail run` config into a backfill graph.
 *
 * Archive mode: the config's sources are REPLACED. The archive reader takes the place (and the id)
 * of one source — `--source`, else the only source, else the only `file` source — and inherits its
 * `format`, `max_line_bytes` and `max_batch_events`, so transforms and routes see exactly what they
 * would see live. Other sources are not run (a backfill must not tail live files or consume Kafka);
 * components fed only by them are left out.
 *
 * Dead-letter mode: each replayed sink gets its own replay source and nothing else upstream.
 */
import type { SourceContext, SourceDef } from '../../core/component.js';
import { splitInput } from '../../config/graph.js';
import type { ComponentSpec, ValidatedConfig } from '../../config/validate.js';
import { FORMAT_NAMES, type FormatName } from '../../formats/types.js';
import { getFormat } from '../../formats/index.js';
import { ArchiveSource } from './archive-source.js';
import { DeadLetterSource } from './dead-letter-source.js';
import type { Tally } from './tally.js';

export class PlanError extends Error {}

/** Chooses the source the archive stands in for. */
export function pickSource(config: ValidatedConfig, wanted: string | undefined): ComponentSpec {
  const sources = config.components.filter((c) => c.kind === 'source');
  if (wanted !== undefined) {
    const s = sources.find((c) => c.id === wanted);
    if (!s) throw new PlanError(`--source ${wanted}: no such source (sources: ${sources.map((c) => c.id).join(', ')})`);
    return s;
  }
  if (sources.length === 1) return sources[0]!;
  const files = sources.filter((c) => c.type === 'file');
  if (files.length === 1) return files[0]!;
  throw new PlanError(`the config has several sources (${sources.map((c) => c.id).join(', ')}): name the one the archives replace with --source`);
}

/** Components still fed by something once `removed` sources are gone (transitively). */
function prune(components: ComponentSpec[], removed: Set<string>): ComponentSpec[] {
  let out = components.filter((c) => !removed.has(c.id));
  for (;;) {
    const ids = new Set(out.map((c) => c.id));
    const next: ComponentSpec[] = [];
    for (const c of out) {
      if (c.kind === 'source') {
        next.push(c);
        continue;
      }
      const inputs = c.inputs.filter((ref) => ids.has(splitInput(ref).id));
      if (inputs.length === 0) continue;
      next.push(inputs.length === c.inputs.length ? c : { ...c, inputs });
    }
    if (next.length === out.length) return next;
    out = next;
  }
}

export function archivePlan(config: ValidatedConfig, paths: string[], tally: Tally, opts: { source?: string; format?: string }): { config: ValidatedConfig; sourceId: string; format: string } {
  const replaced = pickSource(config, opts.source);
  const sc = replaced.config as { format?: string; max_line_bytes?: number; max_batch_events?: number };
  const format = opts.format ?? sc.format ?? 'auto';
  if (!(FORMAT_NAMES as readonly string[]).includes(format)) throw new PlanError(`--format ${format}: expected one of ${FORMAT_NAMES.join(', ')}`);
  const def: SourceDef = {
    kind: 'source',
    type: 'backfill',
    schema: undefined as never,
    build: (_c: unknown, ctx: SourceContext) =>
      new ArchiveSource({ paths, format: getFormat(format as FormatName), maxLineBytes: sc.max_line_bytes ?? 102_400, maxBatchEvents: sc.max_batch_events ?? 1000 }, ctx, tally),
  };
  const removed = new Set(config.components.filter((c) => c.kind === 'source' && c.id !== replaced.id).map((c) => c.id));
  const components = prune(config.components, removed).map((c) => (c.id === replaced.id ? { ...c, type: 'backfill', def, config: {} } : c));
  if (!components.some((c) => c.kind === 'sink')) throw new PlanError(`no sink is fed by source ${replaced.id}`);
  return { config: { ...config, components }, sourceId: replaced.id, format };
}

/** One replay source per sink, wired to that sink only; transforms and other sinks are left out. */
export function deadLetterPlan(config: ValidatedConfig, filesBySink: Map<string, string[]>, tally: Tally): ValidatedConfig {
  const components: ComponentSpec[] = [];
  for (const [sinkId, files] of filesBySink) {
    const sink = config.components.find((c) => c.kind === 'sink' && c.id === sinkId);
    if (!sink) throw new PlanError(`sink ${sinkId}: not in the config`);
    const sourceId = `dead_letter_${sinkId}`;
    const def: SourceDef = { kind: 'source', type: 'dead_letter', schema: undefined as never, build: (_c: unknown, ctx: SourceContext) => new DeadLetterSource(files, ctx, tally) };
    components.push({ id: sourceId, kind: 'source', type: 'dead_letter', def, config: {}, inputs: [], outputs: undefined });
    components.push({ ...sink, inputs: [sourceId] });
  }
  return { ...config, components };
}
