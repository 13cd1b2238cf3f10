/**
 * `fastly_syslog`: lines as Fastly's syslog endpoint sends them (PROTOCOLS.md):
 * - classic: `[TOKEN ]<134>2016-09-20T19:21:00Z cache-jfk8145 endpoint-name[95219]: MESSAGE`
 * - RFC 3164: `<34>Oct 11 22:14:15 mymachine su: MESSAGE` (BSD timestamp, no year: the nearest one)
 * - loggly (RFC 5424): `[TOKEN ]<134>1 2016-09-20T19:21:00Z cache-jfk8145 endpoint-name 95219 - [sd] MESSAGE`
 * The MESSAGE is parsed as fastly_json when it starts with `{`, else as a combined/common access-log
 * line, else kept whole as `message`. The prefix adds `node` (the syslog hostname) and `pop` (derived
 * from the node name) when the payload lacks them. The token, facility/severity and endpoint name are
 * transport details and are dropped.
 */
import type { Fields } from '../core/event.js';
import { ParseFailure, type Format, type ParseOutcome, type Parsed } from './types.js';
import { parseAccessLine } from './access_log.js';
import { parseFastlyJson } from './fastly_json.js';
import { parseBsdSyslog, parseIso } from './time.js';

const NO_PRI = new ParseFailure('missing syslog <priority>');
const BAD_PRI = new ParseFailure('invalid syslog <priority>');
const BAD_TIME = new ParseFailure('invalid syslog timestamp');
const NO_HOST = new ParseFailure('missing syslog hostname');
const NO_TAG = new ParseFailure('missing syslog tag');
const BAD_HEADER = new ParseFailure('truncated RFC 5424 header');
const BAD_SD = new ParseFailure('invalid RFC 5424 structured data');

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * POP code from a Fastly node name: a trailing `-XXX` of 3–4 capitals (`cache-fra-eddf8230-FRA`), else
 * the 3–4 letters right after `cache-` (`cache-jfk8145` → JFK, `cache-iad-kiad7000025` → IAD).
 */
export function popFromNode(node: string): string | undefined {
  const dash = node.lastIndexOf('-');
  const tail = node.length - dash - 1;
  if (dash > 0 && (tail === 3 || tail === 4)) {
    let caps = true;
    for (let i = dash + 1; i < node.length; i++) if (!isUpper(node.charCodeAt(i))) caps = false;
    if (caps) return node.slice(dash + 1);
  }
  if (!node.startsWith('cache-')) return undefined;
  let i = 6;
  while (i < node.length && isLetter(node.charCodeAt(i))) i++;
  return i - 6 === 3 || i - 6 === 4 ? node.slice(6, i).toUpperCase() : undefined;
}

/** The payload, parsed: JSON → fastly_json, else an access-log line, else `message`. */
function parsePayload(msg: string): Parsed | ParseFailure {
  if (msg.charCodeAt(0) === 123) return parseFastlyJson(msg);
  if (msg === '') return { timestamp: NaN, fields: { layer: 'edge' } };
  const access = parseAccessLine(msg);
  return access instanceof ParseFailure ? { timestamp: NaN, fields: { layer: 'edge', message: msg } } : access;
}

function merge(p: Parsed | ParseFailure, ts: number, host: string): Parsed | ParseFailure {
  if (p instanceof ParseFailure) return p;
  const f: Fields = p.fields;
  if (host !== '-' && host !== '') {
    if (f.node === undefined) f.node = host;
    if (f.pop === undefined) {
      const pop = popFromNode(host);
      if (pop !== undefined) f.pop = pop;
    }
  }
  if (p.timestamp !== p.timestamp) p.timestamp = ts;
  return p;
}

/** Classic: `TIMESTAMP HOST TAG: MESSAGE` from `i`; TIMESTAMP is ISO or RFC 3164's `Mmm dd hh:mm:ss`. */
function classic(line: string, i: number): Parsed | ParseFailure {
  let t1: number;
  let ts: number;
  if (isLetter(line.charCodeAt(i))) {
    t1 = i + 15;
    ts = parseBsdSyslog(line.slice(i, t1), Date.now());
    if (ts !== ts || line.charCodeAt(t1) !== 32) return BAD_TIME;
  } else {
    t1 = line.indexOf(' ', i);
    if (t1 < 0) return NO_HOST;
    ts = parseIso(line.slice(i, t1));
    if (ts !== ts) return BAD_TIME;
  }
  const h1 = line.indexOf(' ', t1 + 1);
  if (h1 < 0 || h1 === t1 + 1) return NO_HOST;
  const host = line.slice(t1 + 1, h1);
  // The tag ends at the first ": " (endpoint names may hold spaces; the message comes after).
  const colon = line.indexOf(': ', h1 + 1);
  let msg: string;
  if (colon >= 0) msg = line.slice(colon + 2);
  else if (line.charCodeAt(line.length - 1) === 58 && line.length > h1 + 2) msg = '';
  else return NO_TAG;
  return merge(parsePayload(msg), ts, host);
}

/** End (exclusive) of RFC 5424 structured data starting at `i` (`-` or `[..][..]`), or -1. */
function endOfStructuredData(line: string, i: number): number {
  if (line.charCodeAt(i) === 45) return i + 1;
  let j = i;
  while (line.charCodeAt(j) === 91) { // '['
    j++;
    let inQuote = false;
    for (;;) {
      if (j >= line.length) return -1;
      const c = line.charCodeAt(j);
      if (inQuote && c === 92) j++; // backslash escapes the next character inside a value
      else if (c === 34) inQuote = !inQuote;
      else if (c === 93 && !inQuote) break; // ']'
      j++;
    }
    j++;
  }
  return j === i ? -1 : j;
}

/** RFC 5424 after `1 `: `TIMESTAMP HOST APP PROCID MSGID SD [MSG]` from `i`. */
function rfc5424(line: string, i: number): Parsed | ParseFailure {
  const ends: number[] = [];
  let at = i;
  for (let k = 0; k < 5; k++) {
    const sp = line.indexOf(' ', at);
    if (sp < 0) return BAD_HEADER;
    ends.push(sp);
    at = sp + 1;
  }
  const tsText = line.slice(i, ends[0]);
  const ts = tsText === '-' ? NaN : parseIso(tsText);
  if (ts !== ts && tsText !== '-') return BAD_TIME;
  const host = line.slice(ends[0]! + 1, ends[1]);
  const sdEnd = endOfStructuredData(line, at);
  if (sdEnd < 0) return BAD_SD;
  let msg = '';
  if (sdEnd < line.length) {
    if (line.charCodeAt(sdEnd) !== 32) return BAD_SD;
    msg = line.slice(sdEnd + 1);
    if (msg.charCodeAt(0) === 0xfeff) msg = msg.slice(1); // RFC 5424 allows a BOM before a UTF-8 MSG
  }
  return merge(parsePayload(msg), ts, host);
}

export function parseFastlySyslog(input: string): ParseOutcome {
  let line = input;
  if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
  let i = 0;
  if (line.charCodeAt(0) !== 60) { // '<' — else a token (or a logplex length) comes first
    const sp = line.indexOf(' ');
    if (sp <= 0 || line.charCodeAt(sp + 1) !== 60) return NO_PRI;
    i = sp + 1;
  }
  const gt = line.indexOf('>', i);
  if (gt < i + 2 || gt > i + 4) return BAD_PRI;
  let pri = 0;
  for (let k = i + 1; k < gt; k++) {
    const d = line.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return BAD_PRI;
    pri = pri * 10 + d;
  }
  if (pri > 191) return BAD_PRI;
  return line.startsWith('1 ', gt + 1) ? rfc5424(line, gt + 3) : classic(line, gt + 1);
}

export const fastlySyslog: Format = {
  name: 'fastly_syslog',
  parse: parseFastlySyslog,
};
