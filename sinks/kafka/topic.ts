/**
 * Topic templates: `{{ field }}` placeholders replaced by the event's field value made safe for a
 * topic name (Kafka allows `[a-zA-Z0-9._-]`, at most 249 characters): other characters become `_`,
 * a missing or empty value renders as `_`.
 */
import type { Event } from '../../src/core/event.js';
import { splitFieldTemplate } from '../../src/delivery/template.js';


export interface TopicTemplate {
  readonly constant: boolean;
  render(ev: Event): string;
}

export function topicSafe(v: unknown): string {
  if (v === undefined || v === null) return '_';
  const s = (typeof v === 'string' ? v : String(v)).slice(0, 100).replace(/[^a-zA-Z0-9._-]/g, '_');
  return s === '' ? '_' : s;
}

export function compileTopicTemplate(template: string): TopicTemplate {
  const { literals, fields } = splitFieldTemplate(template);
  if (fields.length === 0) return { constant: true, render: () => template };
  return {
    constant: false,
    render(ev: Event): string {
      const values = ev.type === 'log' ? ev.fields : (ev.tags as Record<string, unknown>);
      let s = literals[0]!;
      for (let i = 0; i < fields.length; i++) s += topicSafe(values[fields[i]!]) + literals[i + 1]!;
      return s.slice(0, 249);
    },
  };
}
