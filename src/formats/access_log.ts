/**
 * The NCSA access-log grammar shared by `combined` and `h2o` (h2o's default format is the combined
 * format): `%h %l %u %t "%r" %>s %b` (common), optionally followed by `"%{Referer}i" "%{User-agent}i"`
 * (combined); anything after the user agent (nginx's extra fields, Apache's %I %O …) is ignored.
 * Read with indexOf, not a regex: a regex over a 10 MB line with nested quotes is slow at best.
 */
import type { Fields } from '../core/event.js';
import { ParseFailure, type Parsed } from './types.js';
import { closingQuote, unescapeLogValue } from './escapes.js';
import { isDigits, parseClf } from './time.js';
import { setUrl } from './values.js';

const NO_HOST = new ParseFailure('missing client address');
const NO_TIME = new ParseFailure('missing [timestamp]');
const BAD_TIME = new ParseFailure('invalid timestamp');
const NO_REQUEST = new ParseFailure('missing "request"');
const OPEN_REQUEST = new ParseFailure('unterminated "request"');
const BAD_STATUS = new ParseFailure('invalid status');
const BAD_BYTES = new ParseFailure('invalid byte count');
const OPEN_QUOTE = new ParseFailure('unterminated quoted field');

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** An HTTP method token as servers log it: a letter, then letters, '-' or '_' (GET, M-SEARCH). */
function isMethod(s: string): boolean {
  if (s.length === 0 || s.length > 32 || !isLetter(s.charCodeAt(0))) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(isLetter(c) || c === 45 || c === 95)) return false;
  }
  return true;
}

/** True when the characters at `i` are ` ` followed by a digit (what follows the request's closing quote). */
function statusFollows(line: string, i: number): boolean {
  const d = line.charCodeAt(i + 1);
  return line.charCodeAt(i) === 32 && d >= 48 && d <= 57;
}

/** Splits a decoded request line `METHOD target PROTOCOL` into fields. */
function setRequest(f: Fields, req: string): void {
  const a = req.indexOf(' ');
  const method = a < 0 ? req : req.slice(0, a);
  if (!isMethod(method)) {
    if (req !== '-' && req !== '') f.request = req; // "-" (nginx, no request), TLS bytes on a plain port, …
    return;
  }
  f.method = method;
  if (a < 0) return;
  const b = req.lastIndexOf(' ');
  if (b > a && req.startsWith('HTTP/', b + 1)) {
    setUrl(f, req.slice(a + 1, b));
    f.protocol = req.slice(b + 1);
  } else {
    setUrl(f, req.slice(a + 1)); // HTTP/0.9: no protocol
  }
}

/** A quoted value starting at `i` (which must be `"`): [decoded value, index after the closing quote]. */
function quoted(line: string, i: number): [string, number] | undefined {
  const end = closingQuote(line, i + 1);
  return end < 0 ? undefined : [unescapeLogValue(line.slice(i + 1, end)), end + 1];
}

export function parseAccessLine(input: string): Parsed | ParseFailure {
  let line = input;
  if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1); // CRLF files
  const sp = line.indexOf(' ');
  if (sp <= 0) return NO_HOST;
  const host = line.slice(0, sp);

  // %l and %u are skipped whole: a user name with spaces must not shift the columns.
  const t0 = line.indexOf(' [', sp);
  if (t0 < 0) return NO_TIME;
  const t1 = line.indexOf(']', t0);
  if (t1 < 0) return NO_TIME;
  const ts = parseClf(line.slice(t0 + 2, t1));
  if (ts !== ts) return BAD_TIME;

  if (line.charCodeAt(t1 + 1) !== 32 || line.charCodeAt(t1 + 2) !== 34) return NO_REQUEST;
  const r0 = t1 + 3;
  const first = closingQuote(line, r0);
  if (first < 0) return OPEN_REQUEST;
  // A server that did not escape a quote inside the request: the real end is the quote before the status.
  let r1 = first;
  while (r1 >= 0 && !statusFollows(line, r1 + 1)) r1 = closingQuote(line, r1 + 1);
  if (r1 < 0) r1 = first; // no better candidate: report what follows the first quote

  const s0 = r1 + 2;
  let s1 = line.indexOf(' ', s0);
  if (s1 < 0) s1 = line.length;
  const statusText = line.slice(s0, s1);
  if (!isDigits(statusText)) return BAD_STATUS;
  let b1 = s1 + 1 > line.length ? line.length : line.indexOf(' ', s1 + 1);
  if (b1 < 0) b1 = line.length;
  const bytesText = line.slice(s1 + 1, b1);
  if (bytesText !== '-' && !isDigits(bytesText)) return BAD_BYTES;

  const f: Fields = { layer: 'edge' };
  if (host !== '-') f.client_ip = host;
  setRequest(f, unescapeLogValue(line.slice(r0, r1)));
  f.status = Number(statusText);
  if (bytesText !== '-') f.resp_body_bytes = Number(bytesText);

  // Combined: ` "referer" "user-agent"`; a common-format line ends after the byte count.
  if (line.charCodeAt(b1) === 32 && line.charCodeAt(b1 + 1) === 34) {
    const ref = quoted(line, b1 + 1);
    if (!ref) return OPEN_QUOTE;
    if (ref[0] !== '-') f.referer = ref[0];
    const u = ref[1];
    if (line.charCodeAt(u) === 32 && line.charCodeAt(u + 1) === 34) {
      const ua = quoted(line, u + 1);
      if (!ua) return OPEN_QUOTE;
      if (ua[0] !== '-') f.user_agent = ua[0];
    }
  }
  return { timestamp: ts, fields: f };
}
