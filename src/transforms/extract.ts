/**
 * `extract`: runs `pattern` (a regex with named groups) on the string field `field`; each named
 * group that matched becomes a top-level field (its name prefixed with `target` when set), as a
 * string. Existing fields are kept unless `overwrite: true`. Events whose field is missing, not a
 * string, or does not match pass unchanged. Metric events pass through untouched.
 */
import { inputs, nonEmptyString, z } from '../core/schema.js';
import type { Event } from '../core/event.js';
import type { TransformDef } from '../core/component.js';
import { namedGroups, regexError, regexString } from './regex.js';

export const extractSchema = z
  .strictObject({
    type: z.literal('extract'),
    inputs: inputs(),
    field: nonEmptyString('a field name'),
    pattern: regexString(),
    /** Optional prefix for the extracted field names (e.g. "k8s_" → k8s_release). */
    target: z.string().optional(),
    overwrite: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (regexError(c.pattern) === undefined && namedGroups(c.pattern).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'expected at least one named group, e.g. (?<release>v[^/]+)' });
    }
  });

export type ExtractConfig = z.infer<typeof extractSchema>;

export const extract: TransformDef<ExtractConfig> = {
  kind: 'transform',
  type: 'extract',
  schema: extractSchema,
  build(config) {
    const re = new RegExp(config.pattern);
    const field = config.field;
    const overwrite = config.overwrite;
    const groups = namedGroups(config.pattern);
    const prefix = config.target ?? '';
    const targets = groups.map((g) => prefix + g);
    return {
      mutates: true,
      process(events: Event[]): Event[] {
        for (let i = 0; i < events.length; i++) {
          const ev = events[i]!;
          if (ev.type !== 'log') continue;
          const f = ev.fields;
          const v = f[field];
          if (typeof v !== 'string') continue;
          const m = re.exec(v);
          if (m === null || m.groups === undefined) continue;
          for (let g = 0; g < groups.length; g++) {
            const value = m.groups[groups[g]!];
            if (value === undefined) continue;
            const t = targets[g]!;
            if (overwrite || f[t] === undefined) f[t] = value;
          }
        }
        return events;
      },
    };
  },
};
