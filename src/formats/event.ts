/** Turns a parse outcome into a LogEvent: parsed fields, or `raw` + `parse_error` for a bad line. */
import { makeLogEvent, type LogEvent } from '../core/event.js';
import { ParseFailure, SKIP, type ParseOutcome } from './types.js';

/**
 * @param outcome  what Format.parse returned for `line`
 * @param id       stable event_id (source identity + offset)
 * @param arrival  epoch ms used when the line carries no timestamp (or did not parse)
 * @param size     bytes the line took in its source
 * @returns the event, or null for a skipped line (e.g. a CSV header row)
 */
export function toLogEvent(outcome: ParseOutcome, line: string, source: string, id: string, arrival: number, size: number): LogEvent | null {
  if (outcome === SKIP) return null;
  if (outcome instanceof ParseFailure) {
    return makeLogEvent(source, id, arrival, { parse_error: outcome.reason }, line, size);
  }
  const ts = outcome.timestamp;
  return makeLogEvent(source, id, ts === ts ? ts : arrival, outcome.fields, line, size);
}
