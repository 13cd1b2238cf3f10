/**
 * Request body → LogEvents. Framing: lines (Fastly json_format 0 and 2, any NDJSON sender, classic
 * syslog-prefixed lines) or one JSON array (json_format 1: each element becomes one line: strings as
 * they are, anything else re-serialized). Every non-blank line yields exactly one event: parsed, or
 * kept as `raw` + `parse_error`. A body that looks like an array but is not valid JSON is read as
 * lines, so nothing is dropped.
 */
import { isUtf8 } from 'node:buffer';
import type { LogEvent } from '../../core/event.js';
import { toLogEvent, ParseFailure, type Format } from '../../formats/index.js';

export type Framing = 'auto' | 'lines' | 'json_array';

export interface DecodeStats {
  /** Lines that did not parse (kept as parse_error events). */
  parseFailures: number;
  /** Lines cut to max_line_bytes. */
  truncated: number;
  /** The body was not valid UTF-8 (invalid sequences became U+FFFD). */
  invalidUtf8: boolean;
  /** Bytes of the decoded body. */
  bytes: number;
}

export interface DecodeOptions {
  framing: Framing;
  format: Format;
  source: string;
  /** event_id = idPrefix + line index within the body. */
  idPrefix: string;
  arrival: number;
  maxLineBytes: number;
}

function truncate(line: string, max: number): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes: short lines need no byte count.
  if (line.length * 3 <= max || Buffer.byteLength(line) <= max) return line;
  let cut = Buffer.from(line).subarray(0, max).toString('utf8');
  if (cut.charCodeAt(cut.length - 1) === 0xfffd) cut = cut.slice(0, -1); // a character split by the cut
  return cut;
}

/** The lines of a body: split on \n, a trailing \r dropped, blank lines skipped. */
function splitLines(text: string, out: string[]): void {
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    let stop = end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
    if (stop > start) {
      const line = text.slice(start, stop);
      if (line.trim() !== '') out.push(line);
    }
    start = end + 1;
  }
}

function firstNonBlank(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 0xfeff) return c;
  }
  return -1;
}

/** The elements of a JSON array body as lines, or undefined when the body is not one. */
function arrayLines(text: string): string[] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v)) return undefined;
  const out: string[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const el: unknown = v[i];
    out[i] = typeof el === 'string' ? el : JSON.stringify(el) ?? 'null';
  }
  return out;
}

export function bodyLines(text: string, framing: Framing): string[] {
  if (framing === 'json_array' || (framing === 'auto' && firstNonBlank(text) === 91)) {
    const lines = arrayLines(text);
    if (lines !== undefined) return lines;
  }
  const out: string[] = [];
  splitLines(text, out);
  return out;
}

export function decodeEvents(body: Buffer, opts: DecodeOptions): { events: LogEvent[]; stats: DecodeStats } {
  const stats: DecodeStats = { parseFailures: 0, truncated: 0, invalidUtf8: !isUtf8(body), bytes: body.length };
  const lines = bodyLines(body.toString('utf8'), opts.framing);
  const events: LogEvent[] = [];
  const { format, source, idPrefix, arrival, maxLineBytes } = opts;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const cut = truncate(line, maxLineBytes);
    if (cut !== line) {
      stats.truncated++;
      line = cut;
    }
    const outcome = format.parse(line);
    if (outcome instanceof ParseFailure) stats.parseFailures++;
    const ev = toLogEvent(outcome, line, source, idPrefix + i, arrival, line.length);
    if (ev !== null) events.push(ev);
  }
  return { events, stats };
}
