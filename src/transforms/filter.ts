/**
 * `filter`: keeps the events that match `condition`, drops the others (counted as discarded,
 * reason "filtered"). Metric events are tested on their tags + name/kind/value (see condition.ts).
 */
import { inputs, z } from '../core/schema.js';
import { compileCondition } from '../core/expression.js';
import type { Event } from '../core/event.js';
import type { TransformDef } from '../core/component.js';
import { condition, matches } from './condition.js';

export const filterSchema = z.strictObject({
  type: z.literal('filter'),
  inputs: inputs(),
  condition: condition(),
});

export type FilterConfig = z.infer<typeof filterSchema>;

export const filter: TransformDef<FilterConfig> = {
  kind: 'transform',
  type: 'filter',
  schema: filterSchema,
  build(config, ctx) {
    const cond = compileCondition(config.condition);
    return {
      process(events: Event[]): Event[] {
        const out: Event[] = [];
        for (let i = 0; i < events.length; i++) {
          const ev = events[i]!;
          if (matches(cond, ev)) out.push(ev);
        }
        const dropped = events.length - out.length;
        if (dropped > 0) ctx.metrics.discarded(dropped, 'filtered');
        return out;
      },
    };
  },
};
