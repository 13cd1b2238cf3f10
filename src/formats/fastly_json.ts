/**
 * `fastly_json`: one JSON object per line, from Fastly's JSON log format. Two shapes:
 * - flat: keys are edgetail's canonical names (PROTOCOLS.md); values are coerced to the canonical
 *   types ("200" → 200, "true" → true); unknown keys are kept as-is (users log custom fields);
 * - nested: Fastly's Datadog-style preset (fastly_nested.ts), recognised by an `http` or `network` object.
 * This is the hot path: one JSON.parse, one pass over the keys, no regex.
 */
import type { Fields } from '../core/event.js';
import { ParseFailure, type Format, type ParseOutcome, type Parsed } from './types.js';
import { isNestedShape, mapNested } from './fastly_nested.js';
import { parseAnyTimestamp } from './time.js';
import { setUrl, toBoolean, toNumber, toText } from './values.js';

type Obj = Record<string, unknown>;

const NOT_JSON = new ParseFailure('invalid JSON');
const NOT_OBJECT = new ParseFailure('not a JSON object');
const BAD_TIMESTAMP = new ParseFailure('invalid timestamp');

/** JSON.parse behind its own function so the try/catch stays out of the mapping code. */
function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return NOT_JSON;
  }
}

function mapFlat(o: Obj): Parsed | ParseFailure {
  const f: Fields = { layer: 'edge' };
  let ts = NaN;
  let url: string | undefined;
  let path: string | undefined;
  let query: string | undefined;
  for (const k in o) {
    const v = o[k];
    if (v === null || v === undefined) continue;
    switch (k) {
      case 'timestamp':
        if (v !== '' && v !== '-') {
          ts = parseAnyTimestamp(v);
          if (ts !== ts) return BAD_TIMESTAMP;
        }
        break;
      case 'status': case 'req_bytes': case 'resp_bytes': case 'resp_body_bytes': case 'elapsed_us': case 'asn': {
        const n = toNumber(v);
        if (n !== undefined) f[k] = n;
        break;
      }
      case 'is_edge': {
        const b = toBoolean(v);
        if (b !== undefined) f.is_edge = b;
        break;
      }
      case 'layer':
        if (v === 'origin' || v === 'edge') f.layer = v;
        break;
      case 'url': url = toText(v); break;
      case 'path': path = toText(v); break;
      case 'query': query = toText(v); break;
      case 'client_ip': case 'geo_country': case 'geo_region': case 'host': case 'method': case 'protocol':
      case 'tls_version': case 'cache_state': case 'pop': case 'node': case 'user_agent': case 'referer':
      case 'service_id': case 'request_id': case 'bucket': case 'object': case 'operation': {
        const t = toText(v);
        if (t !== undefined) f[k] = t;
        break;
      }
      case '__proto__': break; // an own "__proto__" key would replace the prototype of `f`
      default: f[k] = v;
    }
  }
  if (url !== undefined) {
    setUrl(f, url);
  } else {
    if (path !== undefined) f.path = path;
    if (query !== undefined) f.query = query;
  }
  return { timestamp: ts, fields: f };
}

/** Maps an already-parsed JSON value (also used by fastly_syslog for JSON payloads). */
export function mapFastlyValue(v: unknown): Parsed | ParseFailure {
  if (v === NOT_JSON) return NOT_JSON;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return NOT_OBJECT;
  const o = v as Obj;
  return isNestedShape(o) ? mapNested(o) : mapFlat(o);
}

/** Parses one JSON line of either shape. */
export function parseFastlyJson(line: string): Parsed | ParseFailure {
  return mapFastlyValue(parseJson(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line));
}

export const fastlyJson: Format = {
  name: 'fastly_json',
  parse(line: string): ParseOutcome {
    return parseFastlyJson(line);
  },
};
