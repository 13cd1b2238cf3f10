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

/**
 * A line parsed for consumers that only serialize its fields (SourceContext.fieldsAsJson): the
 * fields' members as JSON text (no braces; JSON.parse('{' + members + '}') equals `fields`).
 */
export interface ParsedText {
  readonly text: true;
  timestamp: number;
  members: string;
  /**
   * How members was made, for a thread that must send it elsewhere (parse workers): members ===
   * line.slice(start, end) + suffix, where `line` is the string given to parseText.
   */
  start: number;
  end: number;
  suffix: string;
  /** The parsed fields, to capture peeked keys from; dropped afterwards (the text is what lives). */
  fields: Fields;
}

export interface Format {
  readonly name: FormatName;
  parse(line: string): ParseOutcome;
  /**
   * Optional: parse straight to JSON text when that is cheaper than parse + JSON.stringify (a
   * format whose canonical lines already are that text). Answers a ParseOutcome when it cannot.
   */
  parseText?(line: string): ParsedText | ParseOutcome;
}

export type FormatName = 'fastly_json' | 'combined' | 'h2o' | 'gcs_usage' | 'fastly_syslog' | 'auto' | 'raw';

export const FORMAT_NAMES: readonly FormatName[] = ['fastly_json', 'combined', 'h2o', 'gcs_usage', 'fastly_syslog', 'auto', 'raw'];
