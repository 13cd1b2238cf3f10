/**
 * Canonical edge-request fields (docs/fields.md) → OpenTelemetry semantic-convention attributes
 * (HTTP, URL, client/server, user-agent, network, TLS; https://opentelemetry.io/docs/specs/semconv/).
 * Fields without a convention keep their edgetail name (after `attribute_prefix`).
 */
import type { Fields, LogEvent } from '../../src/core/event.js';

/** One-to-one renames. */
export const SEMCONV_NAMES: Readonly<Record<string, string>> = Object.freeze({
  method: 'http.request.method',
  path: 'url.path',
  query: 'url.query',
  status: 'http.response.status_code',
  client_ip: 'client.address',
  user_agent: 'user_agent.original',
  host: 'server.address',
  req_bytes: 'http.request.size',
  resp_bytes: 'http.response.size',
  resp_body_bytes: 'http.response.body.size',
  geo_country: 'geo.country.iso_code',
  geo_region: 'geo.region.iso_code',
});

/** SeverityNumber (OTLP logs data model) from the response status: 5xx ERROR, 4xx WARN, else INFO. */
export const SEVERITY = { INFO: 9, WARN: 13, ERROR: 17 } as const;

export function severityOf(status: unknown): { number: number; text: string } {
  if (typeof status === 'number') {
    if (status >= 500) return { number: SEVERITY.ERROR, text: 'ERROR' };
    if (status >= 400) return { number: SEVERITY.WARN, text: 'WARN' };
  }
  return { number: SEVERITY.INFO, text: 'INFO' };
}

export type AttributeValue = string | number | boolean | string[];

export interface AttributeOptions {
  prefix: string;
  only: ReadonlySet<string> | undefined;
  except: ReadonlySet<string> | undefined;
}

/** "HTTP/2" → [http, 2]; "HTTP/1.1" → [http, 1.1]; anything else → undefined. */
function splitProtocol(p: string): [string, string] | undefined {
  const m = /^([A-Za-z]+)\/(\d+(?:\.\d+)?)$/.exec(p);
  return m ? [m[1]!.toLowerCase(), m[2]!] : undefined;
}

/** "TLSv1.3" → [tls, 1.3]; "SSLv3" → [ssl, 3]. */
function splitTls(v: string): [string, string] | undefined {
  const m = /^(TLS|SSL)v?(\d+(?:\.\d+)?)$/i.exec(v);
  return m ? [m[1]!.toLowerCase(), m[2]!] : undefined;
}

/**
 * The attributes of one log event. `event_id` → log.record.uid; `url` only when `path` is absent
 * (then split into url.path / url.query); referer → http.request.header.referer (a string array,
 * as the convention types request headers).
 */
export function logAttributes(ev: LogEvent, o: AttributeOptions): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  const f: Fields = ev.fields;
  for (const k in f) {
    const v = f[k];
    if (v === undefined || v === null) continue;
    if ((o.only && !o.only.has(k)) || (o.except && o.except.has(k))) continue;
    const mapped = SEMCONV_NAMES[k];
    if (mapped !== undefined) {
      out[mapped] = scalar(v);
      continue;
    }
    switch (k) {
      case 'url':
        if (f.path === undefined && typeof v === 'string') {
          const q = v.indexOf('?');
          out['url.path'] = q < 0 ? v : v.slice(0, q);
          if (q >= 0 && f.query === undefined) out['url.query'] = v.slice(q + 1);
        }
        continue;
      case 'referer':
        out['http.request.header.referer'] = [String(v)];
        continue;
      case 'protocol': {
        const p = typeof v === 'string' ? splitProtocol(v) : undefined;
        if (p) {
          out['network.protocol.name'] = p[0];
          out['network.protocol.version'] = p[1];
        } else out[o.prefix + k] = scalar(v);
        continue;
      }
      case 'tls_version': {
        const t = typeof v === 'string' ? splitTls(v) : undefined;
        if (t) {
          out['tls.protocol.name'] = t[0];
          out['tls.protocol.version'] = t[1];
        } else out[o.prefix + k] = scalar(v);
        continue;
      }
      case 'timestamp':
        continue; // the record's own time
      default:
        out[o.prefix + k] = scalar(v);
    }
  }
  if ((!o.only || o.only.has('event_id')) && !(o.except && o.except.has('event_id'))) out['log.record.uid'] = ev.id;
  return out;
}

/** Attribute values are scalars (or string arrays); nested values travel as JSON text. */
function scalar(v: unknown): string | number | boolean {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return v;
    default:
      return JSON.stringify(v);
  }
}
