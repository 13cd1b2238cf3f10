/** Syslog frames → LogEvents, parsed once with the configured format; counts what went wrong. */
import type { ComponentMetrics } from '../../core/component.js';
import type { LogEvent } from '../../core/event.js';
import { toLogEvent, ParseFailure, type Format } from '../../formats/index.js';
import type { Frame } from './framing.js';

/**
 * Appends one event per frame to `out` (a line that does not parse becomes `raw` + `parse_error`).
 * event_id = idPrefix + the frame's sequence number on its connection (or UDP socket).
 */
export function framesToEvents(frames: Frame[], format: Format, source: string, idPrefix: string, seq: number, metrics: ComponentMetrics, out: LogEvent[]): number {
  const arrival = Date.now();
  let bytes = 0;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    if (f.truncated) metrics.error('message_truncated', 'receiving');
    const outcome = format.parse(f.text);
    if (outcome instanceof ParseFailure) metrics.error('parse_failed', 'processing');
    const ev = toLogEvent(outcome, f.text, source, idPrefix + (seq + i), arrival, f.bytes);
    if (ev !== null) out.push(ev);
    bytes += f.bytes;
  }
  return bytes;
}
