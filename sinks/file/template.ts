/**
 * File path templates: strftime specifiers, rendered in UTC from the event's timestamp, and
 * `{{ field }}` placeholders, replaced by the event's field value made safe for a path: `/`, `\`
 * and control characters become `_`, the value is cut at 128 characters, and a missing, null or
 * empty value (or `.` / `..`) renders as `_`. A field value can therefore never leave the directory
 * the template names, whatever a client put in its Host header.
 */
import strftime from 'strftime';
import type { Event } from '../../src/core/event.js';
import { splitFieldTemplate } from '../../src/delivery/template.js';

const utc = strftime.utc();

export interface PathTemplate {
  /** True when the template has neither strftime specifiers nor placeholders. */
  readonly constant: boolean;
  render(ev: Event): string;
}

/** A field value as one safe path component. */
export function pathSafe(v: unknown): string {
  if (v === undefined || v === null) return '_';
  const s = (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)).slice(0, 128).replace(/[/\\\u0000-\u001f\u007f]/g, '_');
  return s === '' || s === '.' || s === '..' ? '_' : s;
}

export function compilePathTemplate(template: string): PathTemplate {
  const { literals, fields } = splitFieldTemplate(template);
  const timed = literals.some((l) => l.includes('%'));
  if (!timed && fields.length === 0) return { constant: true, render: () => template };
  // %L (milliseconds) is the only specifier finer than a second: otherwise cache per second.
  const perMs = literals.some((l) => l.includes('%L'));
  let cacheKey = NaN;
  let rendered: string[] = literals;

  function timeParts(ts: number): string[] {
    if (!timed) return literals;
    if (!Number.isFinite(ts)) ts = Date.now();
    const key = perMs ? ts : Math.floor(ts / 1000);
    if (key !== cacheKey) {
      const d = new Date(ts);
      rendered = literals.map((l) => (l.includes('%') ? utc(l, d) : l));
      cacheKey = key;
    }
    return rendered;
  }

  return {
    constant: false,
    render(ev: Event): string {
      const lit = timeParts(ev.timestamp);
      let out = lit[0]!;
      for (let i = 0; i < fields.length; i++) {
        const name = fields[i]!;
        const v = ev.type === 'log' ? ev.fields[name] : name === 'name' ? ev.name : ev.tags[name];
        out += pathSafe(v) + lit[i + 1]!;
      }
      return out;
    },
  };
}
