/**
 * Line writers: a DemoRecord as the log line its layer would write. The real parsers
 * (src/formats/) read these back to the same canonical values; the tests check that round trip.
 * Hand-built strings rather than JSON.stringify of a whole object: `edgetail generate` writes
 * millions of lines and most values come from our own tables (no escaping needed).
 */
import type { DemoRecord } from './scenario.js';

/** JSON string literal for free text (url, user agent, referer): escaping only when needed. */
function jsonText(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

let isoSecond = NaN;
let isoPrefix = '';

/** ISO-8601 with milliseconds; the `YYYY-MM-DDTHH:MM:SS.` part is cached per second. */
function isoTime(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== isoSecond) {
    isoPrefix = new Date(sec * 1000).toISOString().slice(0, 20);
    isoSecond = sec;
  }
  const frac = ms - sec * 1000;
  return isoPrefix + (frac < 10 ? '00' : frac < 100 ? '0' : '') + frac + 'Z';
}

/**
 * Fastly's JSON log format, flat, canonical field names (PROTOCOLS.md), timestamp as ISO-8601 with
 * milliseconds. Edge records only (an origin record has no Fastly fields).
 */
export function toFastlyJson(r: DemoRecord): string {
  return (
    '{"timestamp":"' + isoTime(r.timestamp) +
    '","client_ip":"' + r.client_ip +
    '","geo_country":"' + r.geo_country +
    '","geo_region":"' + r.geo_region +
    '","asn":' + r.asn +
    ',"host":"' + r.host +
    '","method":"' + r.method +
    '","url":' + jsonText(r.url) +
    ',"protocol":"' + r.protocol +
    '","tls_version":"' + r.tls_version +
    '","status":' + r.status +
    ',"cache_state":"' + r.cache_state +
    '","req_bytes":' + r.req_bytes +
    ',"resp_bytes":' + r.resp_bytes +
    ',"resp_body_bytes":' + r.resp_body_bytes +
    ',"elapsed_us":' + r.elapsed_us +
    ',"pop":"' + r.pop +
    '","node":"' + r.node +
    '","is_edge":' + r.is_edge +
    ',"user_agent":' + jsonText(r.user_agent) +
    ',"referer":' + jsonText(r.referer) +
    ',"service_id":"' + r.service_id +
    '","request_id":"' + r.request_id +
    '"}'
  );
}

/** The header row of a GCS usage log (17 columns, every value quoted). */
export const GCS_HEADER =
  '"time_micros","c_ip","c_ip_type","c_ip_region","cs_method","cs_uri","sc_status","cs_bytes","sc_bytes",' +
  '"time_taken_micros","cs_host","cs_referer","cs_user_agent","s_request_id","cs_operation","cs_bucket","cs_object"';

/** CSV field: quoted, inner quotes doubled. */
function csv(s: string): string {
  return s.indexOf('"') < 0 ? '"' + s + '"' : '"' + s.replace(/"/g, '""') + '"';
}

/**
 * One GCS usage log row. `time_micros` is the completion time (start + time_taken_micros), as GCS
 * writes it. Origin records only.
 */
export function toGcsUsage(r: DemoRecord): string {
  return (
    '"' + (r.timestamp * 1000 + r.elapsed_us) +
    '","' + r.client_ip +
    '","' + (r.ipv6 ? '2' : '1') +
    '","","' + r.method +
    '",' + csv(r.url) +
    ',"' + r.status +
    '","' + r.req_bytes +
    '","' + r.resp_bytes +
    '","' + r.elapsed_us +
    '","' + r.host +
    '",' + csv(r.referer) +
    ',' + csv(r.user_agent) +
    ',"' + r.request_id +
    '","' + r.operation +
    '","' + r.bucket +
    '",' + csv(r.object)
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let clfSecond = NaN;
let clfText = '';

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** `01/May/2024:12:00:00 +0000`, cached per second (generated timestamps mostly repeat). */
function clfTime(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== clfSecond) {
    const d = new Date(sec * 1000);
    clfText = `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
    clfSecond = sec;
  }
  return clfText;
}

/** Apache-style escaping inside a quoted CLF field. */
function clfQuoted(s: string): string {
  return s.indexOf('"') < 0 && s.indexOf('\\') < 0 ? s : s.replace(/[\\"]/g, (c) => '\\' + c);
}

/**
 * Apache/nginx combined format (whole seconds; body bytes `-` when zero, as `%b` writes them;
 * empty referer as `-`). Edge records only; carries no cache or POP fields.
 */
export function toCombined(r: DemoRecord): string {
  return (
    r.client_ip + ' - - [' + clfTime(r.timestamp) + '] "' + r.method + ' ' + clfQuoted(r.url) + ' ' + r.protocol + '" ' +
    r.status + ' ' + (r.resp_body_bytes === 0 ? '-' : r.resp_body_bytes) +
    ' "' + (r.referer === '' ? '-' : clfQuoted(r.referer)) + '" "' + clfQuoted(r.user_agent) + '"'
  );
}
