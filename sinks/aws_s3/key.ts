/**
 * Object keys: `<key_prefix rendered in UTC from the event's timestamp><unix-seconds>-<uuid>.log[.gz]`,
 * the layout Fastly's own S3 logging and most log archivers use (PROTOCOLS.md "Amazon S3").
 * A batch whose events fall under different prefixes (e.g. across midnight with `date=%F/`) becomes
 * one object per prefix.
 */
import { randomUUID } from 'node:crypto';
import strftime from 'strftime';
import type { Event } from '../../src/core/event.js';

const utc = strftime.utc();

/** Renders a key prefix for an epoch-ms timestamp (cached per second; %L is per millisecond). */
export type PrefixRenderer = (ts: number) => string;

export function compileKeyPrefix(template: string, now: () => number = Date.now): PrefixRenderer {
  if (!template.includes('%')) return () => template;
  const perMs = template.includes('%L');
  let cacheKey = NaN;
  let cached = '';
  return (ts: number): string => {
    // A timestamp that is not a date falls back to now rather than failing the batch.
    if (!(ts >= -8.64e15 && ts <= 8.64e15)) ts = now();
    const key = perMs ? ts : Math.floor(ts / 1000);
    if (key !== cacheKey) {
      cached = utc(template, new Date(ts));
      cacheKey = key;
    }
    return cached;
  };
}

/** The object name after the prefix: `<unix-seconds>-<uuid>.log` (+ `.gz` when gzipped). */
export function objectName(unixMs: number, gzip: boolean, uuid: string = randomUUID()): string {
  return `${Math.floor(unixMs / 1000)}-${uuid}.log${gzip ? '.gz' : ''}`;
}

/** Splits a batch by rendered prefix, keeping event order within each group. */
export function groupByPrefix(events: readonly Event[], render: PrefixRenderer): Map<string, Event[]> {
  const groups = new Map<string, Event[]>();
  let lastPrefix: string | undefined;
  let last: Event[] | undefined;
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    const p = render(ev.timestamp);
    if (p !== lastPrefix) {
      lastPrefix = p;
      last = groups.get(p);
      if (last === undefined) {
        last = [];
        groups.set(p, last);
      }
    }
    last!.push(ev);
  }
  return groups;
}
