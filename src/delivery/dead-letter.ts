/**
 * Dead letters: events a sink could not deliver (permanent rejection, encoding error, retries
 * exhausted) are appended to `${dataDir}/dead_letter/<sink id>/<YYYY-MM-DD>.ndjson` (UTC date), one
 * line per event: {"sink","reason","time","event"} where `event` is the full ndjson wire object
 * (eventToWire without the sink's except/only fields, so nothing is lost for a replay with
 * `edgetail backfill`). Writes of one writer are serialised, so lines of a batch stay together.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Event } from '../core/event.js';
import { eventToWire } from './encoding.js';

export function deadLetterDir(dataDir: string, sinkId: string): string {
  return join(dataDir, 'dead_letter', sinkId);
}

export class DeadLetterWriter {
  readonly dir: string;
  private ready: Promise<unknown> | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly sinkId: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.dir = deadLetterDir(dataDir, sinkId);
  }

  /** Appends one line per event. Rejects when the file cannot be written. */
  write(events: readonly Event[], reason: string): Promise<void> {
    const p = this.tail.then(() => this.append(events, reason));
    this.tail = p.catch(() => {});
    return p;
  }

  private async append(events: readonly Event[], reason: string): Promise<void> {
    if (events.length === 0) return;
    const date = this.now();
    const time = date.toISOString();
    // Everything but the event is the same on every line: stringify it once.
    const prefix = '{"sink":' + JSON.stringify(this.sinkId) + ',"reason":' + JSON.stringify(reason) + ',"time":"' + time + '","event":';
    let text = '';
    for (let i = 0; i < events.length; i++) text += prefix + JSON.stringify(eventToWire(events[i]!)) + '}\n';
    this.ready ??= mkdir(this.dir, { recursive: true });
    try {
      await this.ready;
    } catch (err) {
      this.ready = undefined; // try again next time
      throw err;
    }
    await appendFile(join(this.dir, time.slice(0, 10) + '.ndjson'), text);
  }
}

/** One dead-letter line as written above. */
export interface DeadLetterRecord {
  sink: string;
  reason: string;
  time: string;
  event: Record<string, unknown>;
}

const METRIC_KINDS = new Set(['counter', 'gauge', 'histogram']);

/** True for the wire object of a metric event (encoding.ts metricToWire). */
export function isMetricWire(o: Record<string, unknown>): o is Record<string, unknown> & { name: string; tags: Record<string, string> } {
  return typeof o.name === 'string' && METRIC_KINDS.has(o.kind as string) && o.tags !== null && typeof o.tags === 'object' && !('raw' in o);
}

/**
 * The event of a dead-letter record, rebuilt from its wire object (for replay). Parsed log events
 * come back with their fields, timestamp and id; the original line survives only for lines that
 * did not parse (`raw` + `parse_error`), as on the wire.
 */
export function wireToEvent(o: Record<string, unknown>, source: string, size: number): Event {
  const ts = typeof o.timestamp === 'string' ? Date.parse(o.timestamp) : NaN;
  const timestamp = Number.isNaN(ts) ? Date.now() : ts;
  const id = typeof o.event_id === 'string' ? o.event_id : '';
  if (isMetricWire(o)) {
    const buckets = Array.isArray(o.buckets)
      ? (o.buckets as Array<{ le: number | string; count: number }>).map((b) => ({ le: b.le === '+Inf' ? Infinity : Number(b.le), count: b.count }))
      : undefined;
    return {
      type: 'metric',
      name: o.name,
      kind: o.kind as 'counter' | 'gauge' | 'histogram',
      value: typeof o.value === 'number' ? o.value : undefined,
      buckets,
      sum: typeof o.sum === 'number' ? o.sum : undefined,
      count: typeof o.count === 'number' ? o.count : undefined,
      tags: o.tags as Record<string, string>,
      ...(o.absolute === true ? { absolute: true } : {}),
      timestamp,
      id,
      source,
      size,
    };
  }
  const fields: Record<string, unknown> = {};
  let raw: string | undefined;
  for (const k of Object.keys(o)) {
    if (k === 'timestamp' || k === 'event_id') continue;
    if (k === 'raw' && o.parse_error !== undefined && typeof o.raw === 'string') {
      raw = o.raw;
      continue;
    }
    // A field literally named __proto__ must stay data (JSON.parse made it an own property).
    if (k === '__proto__') Object.defineProperty(fields, k, { value: o[k], enumerable: true, writable: true, configurable: true });
    else fields[k] = o[k];
  }
  return { type: 'log', timestamp, fields, raw, id, source, size };
}
