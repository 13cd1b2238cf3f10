/** Event builders for transform tests. */
import { makeLogEvent, makeMetricEvent, type Fields, type LogEvent, type MetricEvent } from '../../../src/core/event.js';
import type { Event } from '../../../src/core/event.js';
import type { Transform, TransformDef } from '../../../src/core/component.js';
import { testContext } from '../../helpers/context.js';

let seq = 0;

export function log(fields: Fields, raw?: string): LogEvent {
  seq++;
  return makeLogEvent('src', `src:${seq}`, 1_690_214_400_000 + seq, fields, raw, raw?.length ?? 100);
}

export function metric(name: string, value: number, tags: Record<string, string> = {}): MetricEvent {
  seq++;
  return makeMetricEvent('src', `m:${seq}`, { name, kind: 'counter', value, tags, timestamp: 1_690_214_400_000 });
}

/** Parses `config` with the def's schema (throwing on problems) and builds the transform. */
export async function build<C>(def: TransformDef<C>, config: Record<string, unknown>, id = 't') {
  const ctx = testContext(id, def.type);
  const parsed = def.schema.parse({ type: def.type, inputs: ['in'], ...config });
  const transform = (await def.build(parsed, ctx)) as Transform;
  return { transform, ctx, config: parsed };
}

/** The schema's problems as "path: message" strings (empty when valid). */
export function problems<C>(def: TransformDef<C>, config: Record<string, unknown>): string[] {
  const r = def.schema.safeParse({ type: def.type, inputs: ['in'], ...config });
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
}

export function run(t: Transform, events: Event[]): Event[] {
  const out = t.process(events);
  if (!Array.isArray(out)) throw new Error('expected a single-output transform');
  return out;
}

export const fieldsOf = (events: Event[]) => events.map((e) => (e.type === 'log' ? e.fields : e.tags));
