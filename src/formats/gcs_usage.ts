/**
 * `gcs_usage`: Google Cloud Storage usage logs (the origin bucket's access log). CSV, 17 columns,
 * every value quoted, quotes inside values doubled, a header row first (skipped). See PROTOCOLS.md.
 */
import type { Fields } from '../core/event.js';
import { ParseFailure, SKIP, type Format, type ParseOutcome } from './types.js';
import { isDecimal, isDigits } from './time.js';
import { setUrl } from './values.js';

const COLUMNS = 17;
const OPEN_QUOTE = new ParseFailure('unterminated quoted value');
const STRAY_QUOTE = new ParseFailure('malformed quoting');
const TOO_MANY = new ParseFailure(`expected ${COLUMNS} columns, got more`);
const BAD_TIME = new ParseFailure('invalid time_micros');

/** RFC 4180 split of one line; unquoted values are accepted too, a quote inside one is not. */
function splitCsv(line: string): string[] | ParseFailure {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let from = i + 1;
      let value = '';
      for (;;) {
        const q = line.indexOf('"', from);
        if (q < 0) return OPEN_QUOTE;
        if (line.charCodeAt(q + 1) === 34) { // "" → "
          value += line.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += line.slice(from, q);
        i = q + 1;
        break;
      }
      out.push(value);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      const value = line.slice(i, end);
      if (value.indexOf('"') >= 0) return STRAY_QUOTE;
      out.push(value);
      i = end;
    }
    if (i >= n) return out;
    if (line.charCodeAt(i) !== 44) return STRAY_QUOTE; // text after a closing quote
    if (out.length === COLUMNS) return TOO_MANY;
    i++;
  }
}

function isHeader(line: string): boolean {
  return line.startsWith('"time_micros"') || line.startsWith('time_micros,');
}

/** Sets a numeric column; "" is absent; anything but a decimal number fails the line. */
function num(f: Fields, name: string, column: string, v: string): ParseFailure | undefined {
  if (v === '') return undefined;
  if (!isDecimal(v)) return new ParseFailure(`invalid ${column}`);
  f[name] = Number(v);
  return undefined;
}

function text(f: Fields, name: string, v: string): void {
  if (v !== '') f[name] = v;
}

export function parseGcsUsage(input: string): ParseOutcome {
  let line = input;
  if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1); // CRLF files
  if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
  if (isHeader(line)) return SKIP;
  const c = splitCsv(line);
  if (c instanceof ParseFailure) return c;
  if (c.length !== COLUMNS) return new ParseFailure(`expected ${COLUMNS} columns, got ${c.length}`);
  const [timeMicros, cIp, , , method, uri, status, csBytes, scBytes, taken, host, referer, ua, requestId, operation, bucket, object] = c as [
    string, string, string, string, string, string, string, string, string, string, string, string, string, string, string, string, string,
  ];
  // time_micros is the completion time (GCS docs); canonical `timestamp` is the request start
  // (DESIGN.md), so subtract time_taken_micros when present. Whole milliseconds.
  if (!isDigits(timeMicros)) return BAD_TIME;
  const tookMicros = isDigits(taken) ? Number(taken) : 0;
  const ts = Math.floor((Number(timeMicros) - tookMicros) / 1000);

  const f: Fields = { layer: 'origin' };
  text(f, 'client_ip', cIp);
  text(f, 'method', method);
  if (uri !== '') setUrl(f, uri);
  const bad = num(f, 'status', 'sc_status', status) ?? num(f, 'req_bytes', 'cs_bytes', csBytes)
    ?? num(f, 'resp_bytes', 'sc_bytes', scBytes) ?? num(f, 'elapsed_us', 'time_taken_micros', taken);
  if (bad) return bad;
  text(f, 'host', host);
  text(f, 'referer', referer);
  text(f, 'user_agent', ua);
  text(f, 'request_id', requestId);
  text(f, 'operation', operation);
  text(f, 'bucket', bucket);
  text(f, 'object', object);
  return { timestamp: ts, fields: f };
}

export const gcsUsage: Format = {
  name: 'gcs_usage',
  parse: parseGcsUsage,
};
