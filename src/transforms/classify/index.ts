/**
 * `classify`: sets `target` to the `value` of the first rule whose `pattern` matches the string field
 * `field` (rules ordered, regexes compiled once, case-insensitive by default), or to `default` when
 * none matches or the field is missing / not a string. Results are cached per distinct value
 * (user agents repeat a lot). Metric events pass through untouched.
 */
import { inputs, nonEmptyString, z } from '../../core/schema.js';
import type { Event } from '../../core/event.js';
import type { TransformDef } from '../../core/component.js';
import { regexError } from '../regex.js';

export { USER_AGENT_RULES, type ClassifyRule } from './user-agent.js';

const ruleSchema = z.strictObject({
  pattern: nonEmptyString('a regular expression'),
  value: z.string({ error: 'expected a string' }),
});

export const classifySchema = z
  .strictObject({
    type: z.literal('classify'),
    inputs: inputs(),
    field: nonEmptyString('a field name'),
    target: nonEmptyString('a field name'),
    rules: z.array(ruleSchema, { error: 'expected a list of {pattern, value}' }).min(1, { error: 'expected at least one rule' }),
    default: z.string().default('other'),
    case_insensitive: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    const flags = c.case_insensitive ? 'i' : '';
    c.rules.forEach((r, i) => {
      const err = regexError(r.pattern, flags);
      if (err !== undefined) ctx.addIssue({ code: 'custom', path: ['rules', i, 'pattern'], message: err });
    });
  });

export type ClassifyConfig = z.infer<typeof classifySchema>;

const CACHE_MAX = 10_000;

export const classify: TransformDef<ClassifyConfig> = {
  kind: 'transform',
  type: 'classify',
  schema: classifySchema,
  build(config) {
    const flags = config.case_insensitive ? 'i' : '';
    const regexes = config.rules.map((r) => new RegExp(r.pattern, flags));
    const values = config.rules.map((r) => r.value);
    const { field, target } = config;
    const fallback = config.default;
    const cache = new Map<string, string>();

    const classifyValue = (v: string): string => {
      let out = cache.get(v);
      if (out !== undefined) return out;
      out = fallback;
      for (let r = 0; r < regexes.length; r++) {
        if (regexes[r]!.test(v)) {
          out = values[r]!;
          break;
        }
      }
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(v, out);
      return out;
    };

    return {
      mutates: true,
      process(events: Event[]): Event[] {
        for (let i = 0; i < events.length; i++) {
          const ev = events[i]!;
          if (ev.type !== 'log') continue;
          const v = ev.fields[field];
          ev.fields[target] = typeof v === 'string' ? classifyValue(v) : fallback;
        }
        return events;
      },
    };
  },
};
