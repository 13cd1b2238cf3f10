/**
 * `remap`: `set`, then `rename`, then `delete` (always in that order, whatever the YAML order).
 * `set` values are literals (string, number, boolean) or templates: a value that is exactly
 * "{{ field }}" copies that field with its type (not set when the field is missing); a string mixing
 * text and "{{ field }}" placeholders renders them as text (a missing field renders as ""). `set`
 * entries apply in the order written and read the fields as they are at that moment. `rename` of a
 * missing field does nothing and overwrites an existing target. Metric events pass through untouched.
 */
import { inputs, nonEmptyString, z } from '../core/schema.js';
import type { Event, Fields } from '../core/event.js';
import type { TransformDef } from '../core/component.js';

/** Names a log event carries outside `fields` on the wire: setting them as fields would clash. */
const RESERVED = new Set(['timestamp', 'event_id']);

const RESERVED_MESSAGE = 'reserved (timestamp and event_id are not fields)';

const literal = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' });

export const remapSchema = z.strictObject({
  type: z.literal('remap'),
  inputs: inputs(),
  set: z
    .record(nonEmptyString('a field name'), literal)
    .superRefine((set, ctx) => {
      for (const k of Object.keys(set)) if (RESERVED.has(k)) ctx.addIssue({ code: 'custom', path: [k], message: RESERVED_MESSAGE });
    })
    .default({}),
  rename: z
    .record(nonEmptyString('a field name'), nonEmptyString('a field name'))
    .superRefine((rename, ctx) => {
      for (const [k, v] of Object.entries(rename)) if (RESERVED.has(v)) ctx.addIssue({ code: 'custom', path: [k], message: RESERVED_MESSAGE });
    })
    .default({}),
  delete: z.array(nonEmptyString('a field name')).default([]),
});

export type RemapConfig = z.infer<typeof remapSchema>;

type Setter =
  | { kind: 'literal'; target: string; value: string | number | boolean }
  | { kind: 'copy'; target: string; from: string }
  | { kind: 'template'; target: string; parts: string[]; refs: string[] };

const WHOLE = /^\{\{\s*([^{}\s]+)\s*\}\}$/;
const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

function setter(target: string, value: string | number | boolean): Setter {
  if (typeof value !== 'string' || !value.includes('{{')) return { kind: 'literal', target, value };
  const whole = WHOLE.exec(value);
  if (whole) return { kind: 'copy', target, from: whole[1]! };
  // "a{{x}}b{{y}}c" → parts [a, b, c], refs [x, y]
  const parts: string[] = [];
  const refs: string[] = [];
  let last = 0;
  for (const m of value.matchAll(PLACEHOLDER)) {
    parts.push(value.slice(last, m.index));
    refs.push(m[1]!);
    last = m.index + m[0].length;
  }
  parts.push(value.slice(last));
  return { kind: 'template', target, parts, refs };
}

function render(s: Setter & { kind: 'template' }, f: Fields): string {
  let out = s.parts[0]!;
  for (let i = 0; i < s.refs.length; i++) {
    const v = f[s.refs[i]!];
    out += (v === undefined || v === null ? '' : String(v)) + s.parts[i + 1]!;
  }
  return out;
}

export const remap: TransformDef<RemapConfig> = {
  kind: 'transform',
  type: 'remap',
  schema: remapSchema,
  build(config) {
    const setters = Object.entries(config.set).map(([k, v]) => setter(k, v));
    const renames = Object.entries(config.rename);
    const deletes = config.delete;
    return {
      mutates: true,
      process(events: Event[]): Event[] {
        for (let i = 0; i < events.length; i++) {
          const ev = events[i]!;
          if (ev.type !== 'log') continue;
          const f = ev.fields;
          for (let s = 0; s < setters.length; s++) {
            const st = setters[s]!;
            if (st.kind === 'literal') f[st.target] = st.value;
            else if (st.kind === 'copy') {
              const v = f[st.from];
              if (v !== undefined) f[st.target] = v;
            } else f[st.target] = render(st, f);
          }
          for (let r = 0; r < renames.length; r++) {
            const [from, to] = renames[r]!;
            const v = f[from];
            if (v === undefined || from === to) continue;
            f[to] = v;
            delete f[from];
          }
          for (let d = 0; d < deletes.length; d++) if (f[deletes[d]!] !== undefined) delete f[deletes[d]!];
        }
        return events;
      },
    };
  },
};
