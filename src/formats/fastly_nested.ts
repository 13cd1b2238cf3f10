/**
 * Fastly's nested Datadog-style JSON preset (`http.status_code`, `network.client.ip`, …) mapped onto
 * the canonical fields. The mapping table lives in docs/formats.md. Only known keys are read: the
 * preset carries dozens of Datadog-specific keys (is_h2, request_accept_language, …) that would bloat
 * every event; canonical names at the top level are honoured too, so a customised preset can add
 * `is_edge`, `request_id`, `node`, ….
 */
import type { Fields } from '../core/event.js';
import { ParseFailure, type Parsed } from './types.js';
import { parseAnyTimestamp } from './time.js';
import { setUrl, toBoolean, toNumber, toText } from './values.js';

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** True when `o` looks like the nested preset (an `http` or `network` object). */
export function isNestedShape(o: Obj): boolean {
  return obj(o.http) !== undefined || obj(o.network) !== undefined;
}

/** Candidate timestamp keys in order of preference: request start first. */
const TS_KEYS = ['time_start', 'date', 'timestamp'] as const;

function readTimestamp(o: Obj): number | ParseFailure {
  let seen = false;
  for (const k of TS_KEYS) {
    const v = o[k];
    if (v === undefined || v === null || v === '' || v === '-') continue;
    seen = true;
    const t = parseAnyTimestamp(v);
    if (t === t) return t;
  }
  return seen ? new ParseFailure('invalid timestamp') : NaN;
}

/**
 * Direct property reads, no loop over keys: the real preset has ~60 keys and we want ~20 of them.
 * When a line has both a preset key and the canonical name for the same field, the preset key wins;
 * canonical names only fill the gaps.
 */
export function mapNested(o: Obj): Parsed | ParseFailure {
  const ts = readTimestamp(o);
  if (ts instanceof ParseFailure) return ts;
  const f: Fields = { layer: 'edge' };
  let t: string | undefined;
  let n: number | undefined;
  let url: string | undefined;

  if ((t = toText(o.service ?? o.service_id)) !== undefined) f.service_id = t;
  if ((t = toText(o.request_id)) !== undefined) f.request_id = t;
  if ((t = toText(o.host)) !== undefined) f.host = t;
  if ((t = toText(o.tls_client_protocol ?? o.tls_version)) !== undefined) f.tls_version = t;
  if ((t = toText(o.server_datacenter ?? o.pop)) !== undefined) f.pop = t;
  if ((t = toText(o.server_hostname ?? o.node)) !== undefined) f.node = t;
  if ((t = toText(o.fastly_info_state ?? o.cache_state)) !== undefined) f.cache_state = t;
  const edge = toBoolean(o.is_edge);
  if (edge !== undefined) f.is_edge = edge;

  const http = obj(o.http);
  if (http) {
    if ((n = toNumber(http.status_code)) !== undefined) f.status = n;
    if ((t = toText(http.method)) !== undefined) f.method = t;
    url = toText(http.url);
    if ((t = toText(http.protocol)) !== undefined) f.protocol = t;
    if ((t = toText(http.useragent)) !== undefined) f.user_agent = t;
    if ((t = toText(http.referer)) !== undefined) f.referer = t;
    if ((n = toNumber(http.request_time_ms)) !== undefined) f.elapsed_us = Math.round(n * 1000);
  }

  const net = obj(o.network);
  if (net) {
    const client = obj(net.client);
    if (client) {
      if ((t = toText(client.ip)) !== undefined) f.client_ip = t;
      if ((n = toNumber(client.number)) !== undefined) f.asn = n;
    }
    const geo = obj(net.geoip);
    if (geo) {
      if ((t = toText(geo.geo_country_code)) !== undefined) f.geo_country = t;
      if ((t = toText(geo.geo_region)) !== undefined) f.geo_region = t;
    }
    if ((n = toNumber(net.bytes_written)) !== undefined) f.resp_bytes = n;
    if ((n = toNumber(net.bytes_read)) !== undefined) f.req_bytes = n;
  }

  // Canonical top-level names fill what the preset did not say.
  for (const k of TOP_LEVEL_CANONICAL) {
    if (f[k] !== undefined) continue;
    const v = o[k];
    if (v === undefined || v === null) continue;
    const val = NUMERIC.has(k) ? toNumber(v) : toText(v);
    if (val !== undefined) f[k] = val;
  }
  url ??= toText(o.url);
  if (url !== undefined) setUrl(f, url);
  return { timestamp: ts, fields: f };
}

const NUMERIC = new Set(['status', 'req_bytes', 'resp_bytes', 'resp_body_bytes', 'elapsed_us', 'asn']);
const TOP_LEVEL_CANONICAL = ['client_ip', 'geo_country', 'geo_region', 'method', 'protocol', 'user_agent', 'referer',
  'status', 'req_bytes', 'resp_bytes', 'resp_body_bytes', 'elapsed_us', 'asn'] as const;
