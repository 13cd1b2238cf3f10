/**
 * `route`: sends each event to every named output whose condition it matches (an event can go to
 * several outputs, as in Vector; the second and later outputs get a shallow copy), and to
 * `_unmatched` when it matches none. Consumers subscribe with
 * `inputs: [<route id>.<output>]`. Metric events are tested like in `filter`.
 */
import { inputs, z } from '../core/schema.js';
import { compileCondition, type Condition } from '../core/expression.js';
import { cloneEvent, type Event } from '../core/event.js';
import type { TransformDef, TransformOutputs } from '../core/component.js';
import { condition, matches } from './condition.js';

export const UNMATCHED = '_unmatched';

const OUTPUT_NAME = /^(?!__)[A-Za-z0-9_-]+$/;

export const routeSchema = z.strictObject({
  type: z.literal('route'),
  inputs: inputs(),
  route: z
    .record(z.string(), condition(), { error: 'expected a map of output name → condition' })
    .superRefine((r, ctx) => {
      const names = Object.keys(r);
      if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'expected at least one output' });
      for (const n of names) {
        if (n === UNMATCHED) ctx.addIssue({ code: 'custom', path: [n], message: `"${UNMATCHED}" is reserved for events that match no route` });
        else if (!OUTPUT_NAME.test(n)) ctx.addIssue({ code: 'custom', path: [n], message: 'output names use letters, digits, _ and - (not starting with __)' });
      }
    }),
});

export type RouteConfig = z.infer<typeof routeSchema>;

export const route: TransformDef<RouteConfig> = {
  kind: 'transform',
  type: 'route',
  schema: routeSchema,
  outputs: (config) => [...Object.keys(config.route), UNMATCHED],
  build(config) {
    const names = Object.keys(config.route);
    const conds: Condition[] = names.map((n) => compileCondition(config.route[n]!));
    const outputs = [...names, UNMATCHED];
    return {
      outputs,
      process(events: Event[]): TransformOutputs {
        const parts: Event[][] = names.map(() => []);
        const unmatched: Event[] = [];
        for (let i = 0; i < events.length; i++) {
          const ev = events[i]!;
          let hit = false;
          for (let r = 0; r < conds.length; r++) {
            if (matches(conds[r]!, ev)) {
              // A second output gets its own copy: a mutating transform behind one output must not
              // change what another output sees.
              parts[r]!.push(hit ? cloneEvent(ev) : ev);
              hit = true;
            }
          }
          if (!hit) unmatched.push(ev);
        }
        const out: TransformOutputs = { [UNMATCHED]: unmatched };
        for (let r = 0; r < names.length; r++) out[names[r]!] = parts[r]!;
        return out;
      },
    };
  },
};
