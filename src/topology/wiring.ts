/**
 * The routing plan: for each component output, who consumes it. Built once; the hot path walks it
 * with no lookups by string.
 */
import type { Event } from '../core/event.js';
import { cloneEvent } from '../core/event.js';
import type { Transform, TransformOutputs } from '../core/component.js';
import type { ComponentMetrics } from '../core/component.js';

export interface SinkTarget {
  kind: 'sink';
  id: string;
  index: number;
  accepts: readonly ('log' | 'metric')[] | undefined;
}

export interface TransformTarget {
  kind: 'transform';
  id: string;
  transform: Transform;
  metrics: ComponentMetrics;
  /** True when this transform mutates and its upstream output also feeds others: give it copies. */
  clone: boolean;
  /** Default-output consumers, or per named output. */
  next: Target[];
  named: Map<string, Target[]> | undefined;
}

export type Target = SinkTarget | TransformTarget;

/**
 * Pushes a batch through transforms synchronously and collects, per sink index, the events it gets.
 * `acc[i]` is appended to (a sink reachable by two paths gets both, as in Vector).
 */
export function route(targets: Target[], events: Event[], acc: (Event[] | undefined)[], onTransformError: (id: string, err: unknown) => void): void {
  if (events.length === 0) return;
  for (let t = 0; t < targets.length; t++) {
    const target = targets[t]!;
    if (target.kind === 'sink') {
      let evs = events;
      if (target.accepts && target.accepts.length === 1) {
        const want = target.accepts[0];
        evs = events.filter((e) => e.type === want);
      }
      const cur = acc[target.index];
      if (cur === undefined) acc[target.index] = evs === events ? events.slice() : evs;
      else for (let i = 0; i < evs.length; i++) cur.push(evs[i]!);
      continue;
    }
    const input = target.clone ? events.map(cloneEvent) : events;
    target.metrics.received(input.length, 0);
    let out: Event[] | TransformOutputs;
    try {
      out = target.transform.process(input);
    } catch (err) {
      // A transform bug must not lose data: count it and pass the batch on unchanged.
      onTransformError(target.id, err);
      out = target.named ? { _unmatched: input } : input;
    }
    if (Array.isArray(out)) {
      target.metrics.sent(out.length, 0);
      route(target.next, out, acc, onTransformError);
    } else if (target.named) {
      let sent = 0;
      for (const [name, next] of target.named) {
        const part = out[name];
        if (part && part.length > 0) {
          sent += part.length;
          route(next, part, acc, onTransformError);
        }
      }
      target.metrics.sent(sent, 0);
    }
  }
}
