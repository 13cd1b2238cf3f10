/**
 * Conditions inside transform configs: a zod schema that compiles the expression at validation time
 * (so `edgetail validate` reports a bad condition with its key path), and the field view a condition
 * sees for each kind of event.
 */
import { z } from '../core/schema.js';
import { compileCondition, ExpressionError, type Condition } from '../core/expression.js';
import type { Event, Fields } from '../core/event.js';

/** A condition string, checked by compiling it (the compiled function is built again in build()). */
export const condition = () =>
  z.string({ error: 'expected a condition (e.g. status >= 500)' }).superRefine((expr, ctx) => {
    try {
      compileCondition(expr);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof ExpressionError ? err.message : String(err) });
    }
  });

/**
 * What a condition reads from an event. Log events: their fields. Metric events: their tags plus
 * `name`, `kind` and `value` (which win over tags of the same name).
 */
export function conditionFields(ev: Event): Fields {
  if (ev.type === 'log') return ev.fields;
  return { ...ev.tags, name: ev.name, kind: ev.kind, value: ev.value };
}

export function matches(cond: Condition, ev: Event): boolean {
  return cond(ev.type === 'log' ? ev.fields : conditionFields(ev));
}
