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

function text(fields: Fields, name: string, v: unknown): void {
  const t = toText(v);
  if (t !== undefined) fields[name] = t;
}

function num(fields: Fields, name: string, v: unknown): void {
  const n = toNumber(v);
  if (n !== undefined) fields[name] = n;
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

export function mapNested(o: Obj): Parsed | ParseFailure {
  const ts = readTimestamp(o);
  if (ts instanceof ParseFailure) return ts;
  const f: Fields = { layer: 'edge' };
  let url: string | undefined;

  for (const k in o) {
    const v = o[k];
    switch (k) {
      case 'service': case 'service_id': text(f, 'service_id', v); break;
      case 'tls_client_protocol': case 'tls_version': text(f, 'tls_version', v); break;
      case 'server_datacenter': case 'pop': text(f, 'pop', v); break;
      case 'server_hostname': case 'node': text(f, 'node', v); break;
      case 'fastly_info_state': case 'cache_state': text(f, 'cache_state', v); break;
      case 'geo_country_code': case 'geo_country': text(f, 'geo_country', v); break;
      case 'host': case 'request_id': case 'client_ip': case 'geo_region': case 'method': case 'protocol':
      case 'user_agent': case 'referer':
        text(f, k, v); break;
      case 'status': case 'req_bytes': case 'resp_bytes': case 'resp_body_bytes': case 'elapsed_us': case 'asn':
        num(f, k, v); break;
      case 'is_edge': { const b = toBoolean(v); if (b !== undefined) f.is_edge = b; break; }
      case 'url': url = toText(v) ?? url; break;
      default: break;
    }
  }

  const http = obj(o.http);
  if (http) {
    const ms = toNumber(http.request_time_ms);
    if (ms !== undefined) f.elapsed_us = Math.round(ms * 1000);
    text(f, 'method', http.method);
    url = toText(http.url) ?? url;
    text(f, 'user_agent', http.useragent);
    text(f, 'referer', http.referer);
    text(f, 'protocol', http.protocol);
    num(f, 'status', http.status_code);
  }

  const net = obj(o.network);
  if (net) {
    const client = obj(net.client);
    if (client) {
      text(f, 'client_ip', client.ip);
      num(f, 'asn', client.number);
    }
    const geo = obj(net.geoip);
    if (geo) {
      text(f, 'geo_country', geo.geo_country_code);
      text(f, 'geo_region', geo.geo_region);
    }
    num(f, 'resp_bytes', net.bytes_written);
    num(f, 'req_bytes', net.bytes_read);
  }

  if (url !== undefined) setUrl(f, url);
  return { timestamp: ts, fields: f };
}
