/**
 * `auto`: picks the format per line from its first bytes, for sources that mix formats (a syslog
 * collector fed by several Fastly services, a directory of mixed archives):
 *   `{` → fastly_json · `<` or `TOKEN <` → fastly_syslog · `"` (or `time_micros,`) → gcs_usage (the
 *   header row is skipped) · anything else → combined (which also reads h2o's default format).
 * A line no format reads is a ParseFailure naming the format tried and why it failed.
 */
import { ParseFailure, type Format, type ParseOutcome } from './types.js';
import { parseAccessLine } from './access_log.js';
import { parseFastlyJson } from './fastly_json.js';
import { parseFastlySyslog } from './fastly_syslog.js';
import { parseGcsUsage } from './gcs_usage.js';

const EMPTY = new ParseFailure('empty line');
const failures = new Map<string, ParseFailure>();

/** "combined: invalid status": one object per distinct reason (a bounded set), not one per line. */
function unrecognized(reason: string): ParseFailure {
  let f = failures.get(reason);
  if (f === undefined) {
    f = new ParseFailure(`unrecognized line (combined: ${reason})`);
    failures.set(reason, f);
  }
  return f;
}

export function parseAuto(line: string): ParseOutcome {
  let i = 0;
  let c = line.charCodeAt(0);
  if (c === 0xfeff) c = line.charCodeAt(++i);
  while (c === 32 || c === 9) c = line.charCodeAt(++i);
  if (c !== c) return EMPTY; // NaN: nothing but blanks
  const rest = i === 0 ? line : line.slice(i);
  if (c === 123) return parseFastlyJson(rest); // {
  if (c === 60) return parseFastlySyslog(rest); // <
  if (c === 34 || rest.startsWith('time_micros,')) return parseGcsUsage(rest); // "
  const sp = rest.indexOf(' ');
  if (sp > 0 && rest.charCodeAt(sp + 1) === 60) return parseFastlySyslog(rest);
  const access = parseAccessLine(rest);
  return access instanceof ParseFailure ? unrecognized(access.reason) : access;
}

export const auto: Format = {
  name: 'auto',
  parse: parseAuto,
};
