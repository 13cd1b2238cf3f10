/**
 * `sample`: keeps 1 event in `rate`. Without `key_field`, every rate-th event is kept (a counter:
 * exact and deterministic). With `key_field`, the decision is a hash of the field's value, so the
 * same key is always kept or always dropped, on every agent; events missing the key fall back to the
 * counter. Events matching `exclude` are always kept. Metric events pass through untouched
 * (sampling counters would falsify them). Dropped events count as discarded, reason "sampled".
 */
import { inputs, nonEmptyString, posInt, z } from '../core/schema.js';
import { compileCondition } from '../core/expression.js';
import type { Event } from '../core/event.js';
import type { TransformDef } from '../core/component.js';
import { condition } from './condition.js';
import { fnv1a32 } from './hash.js';

export const sampleSchema = z.strictObject({
  type: z.literal('sample'),
  inputs: inputs(),
  /** Keep 1 event in `rate` (1 keeps everything). */
  rate: posInt(),
  key_field: nonEmptyString('a field name').optional(),
  exclude: condition().optional(),
  /** When set, kept (sampled) log events get this field set to `rate`. */
  sample_rate_key: nonEmptyString('a field name').optional(),
});

export type SampleConfig = z.infer<typeof sampleSchema>;

/** Whether a key is kept at this rate: the same key always gets the same answer. */
export function keepKey(key: string, rate: number): boolean {
  return fnv1a32(key) % rate === 0;
}

export const sample: TransformDef<SampleConfig> = {
  kind: 'transform',
  type: 'sample',
  schema: sampleSchema,
  build(config, ctx) {
    const { rate, key_field: keyField, sample_rate_key: rateKey } = config;
    const exclude = config.exclude === undefined ? undefined : compileCondition(config.exclude);
    let counter = 0;
    return {
      mutates: rateKey !== undefined,
      process(events: Event[]): Event[] {
        const out: Event[] = [];
        for (let i = 0; i < events.length; i++) {
          const ev = events[i]!;
          if (ev.type !== 'log' || (exclude !== undefined && exclude(ev.fields))) {
            out.push(ev);
            continue;
          }
          let keep: boolean;
          const key = keyField === undefined ? undefined : ev.fields[keyField];
          if (key === undefined || key === null) keep = counter++ % rate === 0;
          else keep = keepKey(typeof key === 'string' ? key : String(key), rate);
          if (!keep) continue;
          if (rateKey !== undefined) ev.fields[rateKey] = rate;
          out.push(ev);
        }
        const dropped = events.length - out.length;
        if (dropped > 0) ctx.metrics.discarded(dropped, 'sampled');
        return out;
      },
      describe: () => ({ rate }),
    };
  },
};
