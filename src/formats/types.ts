/**
 * The parser contract. A format turns one line (no trailing newline) into canonical fields
 * (DESIGN.md table; absent fields omitted, never null) or a ParseFailure with a short reason.
 * Parsers never throw: a line that does not parse becomes an event with `raw` + `parse_error`.
 */
import type { Fields } from '../core/event.js';

export interface Parsed {
  /** Request start time, epoch ms; NaN when the line carries none (the event gets arrival time). */
  timestamp: number;
  /** Canonical fields, without `timestamp` (LogEvent.timestamp holds it). */
  fields: Fields;
}

export class ParseFailure {
  constructor(readonly reason: string) {}
}

/** Returned for lines that are not records and are skipped on purpose (a CSV header row). */
export const SKIP: unique symbol = Symbol('skip');

export type ParseOutcome = Parsed | ParseFailure | typeof SKIP;

export interface Format {
  readonly name: FormatName;
  parse(line: string): ParseOutcome;
}

export type FormatName = 'fastly_json' | 'combined' | 'h2o' | 'gcs_usage' | 'fastly_syslog' | 'auto' | 'raw';

export const FORMAT_NAMES: readonly FormatName[] = ['fastly_json', 'combined', 'h2o', 'gcs_usage', 'fastly_syslog', 'auto', 'raw'];
