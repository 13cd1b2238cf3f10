/**
 * `fastly_json`: one JSON object per line, from Fastly's JSON log format. Two shapes:
 * - flat: keys are edgetail's canonical names (PROTOCOLS.md); values are coerced to the canonical
 *   types ("200" → 200, "true" → true); unknown keys are kept as-is (users log custom fields);
 * - nested: Fastly's Datadog-style preset (fastly_nested.ts), recognised by an `http` or `network` object.
 * This is the hot path: one JSON.parse, one pass over the keys, no regex. Mapping rules: docs/formats.md.
 */
import { ParseFailure, type Format, type ParseOutcome, type Parsed, type ParsedText } from './types.js';
import { isNestedShape, mapNested } from './fastly_nested.js';
import { parseAnyTimestamp } from './time.js';
import { setUrl, toBoolean, toNumber, toText } from './values.js';

type Obj = Record<string, unknown>;

const NOT_JSON = new ParseFailure('invalid JSON');
const NOT_OBJECT = new ParseFailure('not a JSON object');
const BAD_TIMESTAMP = new ParseFailure('invalid timestamp');
const TOO_DEEP = new ParseFailure('JSON nested too deeply');

/**
 * Deepest nesting kept in a passed-through value. JSON.parse reads any depth, but JSON.stringify
 * (every sink's encoder) recurses and throws past a few thousand levels: one such line would fail its
 * whole batch at encode time. Found by test/fuzz/formats.test.ts.
 */
const MAX_DEPTH = 32;

function tooDeep(v: unknown, depth: number): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (depth >= MAX_DEPTH) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (tooDeep(v[i], depth + 1)) return true;
  } else {
    for (const k in v) if (tooDeep((v as Obj)[k], depth + 1)) return true;
  }
  return false;
}

/** JSON.parse behind its own function so the try/catch stays out of the mapping code. */
function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return NOT_JSON;
  }
}

const enum Kind { Number = 1, Text, Boolean, Timestamp, Layer, Url, Path, Query, Proto }

/** Canonical keys of the flat shape and how their values are checked; other keys pass through. */
const KINDS: Record<string, Kind | undefined> = Object.create(null);
for (const k of ['status', 'req_bytes', 'resp_bytes', 'resp_body_bytes', 'elapsed_us', 'asn']) KINDS[k] = Kind.Number;
for (const k of ['client_ip', 'geo_country', 'geo_region', 'host', 'method', 'protocol', 'tls_version', 'cache_state',
  'pop', 'node', 'user_agent', 'referer', 'service_id', 'request_id', 'bucket', 'object', 'operation']) KINDS[k] = Kind.Text;
KINDS.is_edge = Kind.Boolean;
KINDS.timestamp = Kind.Timestamp;
KINDS.layer = Kind.Layer;
KINDS.url = Kind.Url;
KINDS.path = Kind.Path;
KINDS.query = Kind.Query;
KINDS.__proto__ = Kind.Proto;
// `parse_error` marks a line that did not parse (DESIGN.md); a line must not claim it for itself.
KINDS.parse_error = Kind.Proto;

/** Set by mapFlat when it changed or deleted a member the line had (beyond `timestamp`): see parseText. */
let altered = false;

/**
 * The flat shape is fixed up in place rather than copied: JSON.parse already built the object with
 * the right keys, and copying ~20 properties costs more than the parse itself. Values of the wrong
 * type are coerced or deleted; `timestamp` is deleted at the end (it lives on the event, not in fields).
 */
function mapFlat(o: Obj): Parsed | ParseFailure {
  let ts = NaN;
  let hasTs = false;
  for (const k in o) {
    const v = o[k];
    if (v === null) {
      delete o[k];
      altered = true;
      continue;
    }
    switch (KINDS[k]) {
      case undefined:
        if (typeof v === 'object' && tooDeep(v, 1)) return TOO_DEEP;
        break;
      case Kind.Number:
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          const n = toNumber(v);
          if (n === undefined) delete o[k]; else o[k] = n;
          altered = true;
        }
        break;
      case Kind.Text: case Kind.Url: case Kind.Path: case Kind.Query:
        if (typeof v !== 'string') {
          const t = toText(v);
          if (t === undefined) delete o[k]; else o[k] = t;
          altered = true;
        }
        break;
      case Kind.Boolean:
        if (typeof v !== 'boolean') {
          const b = toBoolean(v);
          if (b === undefined) delete o[k]; else o[k] = b;
          altered = true;
        }
        break;
      case Kind.Timestamp:
        hasTs = true;
        if (v !== '' && v !== '-') {
          ts = parseAnyTimestamp(v);
          if (ts !== ts) return BAD_TIMESTAMP;
        }
        break;
      case Kind.Layer:
        if (v !== 'edge' && v !== 'origin') {
          o[k] = 'edge';
          altered = true;
        }
        break;
      case Kind.Proto: // an own "__proto__" key would become a prototype if a consumer copied fields;
        delete o[k]; // a "parse_error" key would make a parsed line count as a failure downstream
        altered = true;
        break;
    }
  }
  const url = o.url;
  if (typeof url === 'string') {
    if (o.query !== undefined && url.indexOf('?') < 0) {
      delete o.query;
      altered = true;
    }
    setUrl(o, url);
  }
  if (o.layer === undefined) o.layer = 'edge';
  if (hasTs) delete o.timestamp;
  return { timestamp: ts, fields: o };
}

/**
 * Maps an already-parsed JSON value, e.g. one element of a Fastly `json_format: 1` array body.
 * A flat-shape object is modified in place and becomes the returned `fields`.
 */
export function mapFastlyValue(v: unknown): Parsed | ParseFailure {
  if (v === NOT_JSON) return NOT_JSON;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return NOT_OBJECT;
  const o = v as Obj;
  return isNestedShape(o) ? mapNested(o) : mapFlat(o);
}

const TS_PREFIX = '{"timestamp":"';

// What the last parseTimestampFirst saw, for parseFastlyText: where the timestamp's closing quote is,
// and the line's own path / query / layer before mapFlat (module state: no object per line).
let tsEnd = -1;
let path0: unknown;
let query0: unknown;
let layer0: unknown;

/**
 * Fast path for the common line shape `{"timestamp":"<ISO>",…}` (Fastly's JSON format and ours put
 * the timestamp first): the timestamp is cut out of the text before JSON.parse, so the object never
 * holds it and needs no `delete`. A `delete` turns a V8 object into a slow dictionary, which made
 * JSON.stringify downstream ~20% slower; parse + encode measured 1.35× faster this way.
 * Undefined: not this shape, take the general path on the whole line.
 */
function parseTimestampFirst(line: string): Parsed | ParseFailure | undefined {
  const end = line.indexOf('"', TS_PREFIX.length);
  // Only plain ISO text (no escapes) followed by a comma and another member.
  if (end < 0 || end > 64 || line.charCodeAt(end + 1) !== 44 /* , */ || line.lastIndexOf('\\', end) > 0) return undefined;
  const raw = line.slice(TS_PREFIX.length, end);
  let ts = NaN;
  if (raw !== '' && raw !== '-') {
    ts = parseAnyTimestamp(raw);
    if (ts !== ts) return BAD_TIMESTAMP;
  }
  const v = parseJson('{' + line.slice(end + 2));
  if (v === NOT_JSON) return NOT_JSON;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return NOT_OBJECT;
  const o = v as Obj;
  // A second "timestamp" key, or the nested shape: take the general path on the whole line.
  if (o.timestamp !== undefined || isNestedShape(o)) return undefined;
  tsEnd = end;
  path0 = o.path;
  query0 = o.query;
  layer0 = o.layer;
  altered = false;
  const r = mapFlat(o);
  if (r instanceof ParseFailure) return r;
  r.timestamp = ts;
  return r;
}

/** Parses one JSON line of either shape. */
export function parseFastlyJson(input: string): Parsed | ParseFailure {
  const line = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (line.startsWith(TS_PREFIX)) {
    const fast = parseTimestampFirst(line);
    if (fast !== undefined) return fast;
  }
  return mapFastlyValue(parseJson(line));
}

/**
 * parseText (Format): for consumers that only serialize the fields. A canonical flat line —
 * `{"timestamp":"<ISO>",…}` whose members need no coercion — already is the fields' JSON text but for
 * the timestamp: the members are sliced out of the line (no copy, no JSON.stringify) and the members
 * mapFlat adds (`path`, `query`, `layer`) appended, in the order JSON.stringify would write them.
 * The line is still parsed (parseTimestampFirst), so every check of parseFastlyJson applies; anything
 * else (a coerced or dropped member, the nested shape, a timestamp elsewhere) answers parseFastlyJson's
 * outcome and is serialized by the caller. The text keeps the line's spelling (spacing, `1.0`,
 * escapes): the same JSON values, which is what the wire carries.
 */
export function parseFastlyText(input: string): ParsedText | ParseOutcome {
  const line = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (!line.startsWith(TS_PREFIX) || line.charCodeAt(line.length - 1) !== 125 /* } */) return parseFastlyJson(line);
  const r = parseTimestampFirst(line);
  if (r === undefined) return mapFastlyValue(parseJson(line));
  if (r instanceof ParseFailure || altered) return r;
  const o = r.fields;
  let suffix = '';
  if (o.path !== path0) {
    if (path0 !== undefined) return r;
    suffix += ',"path":' + JSON.stringify(o.path);
  }
  if (o.query !== query0) {
    if (query0 !== undefined) return r;
    suffix += ',"query":' + JSON.stringify(o.query);
  }
  if (layer0 === undefined) suffix += ',"layer":"edge"';
  // Offsets into `input` (a BOM was cut off `line`).
  const start = tsEnd + 2 + input.length - line.length;
  const stop = input.length - 1;
  const members = suffix === '' ? input.slice(start, stop) : input.slice(start, stop) + suffix;
  return { text: true, timestamp: r.timestamp, members, fields: o, start, end: stop, suffix };
}

export const fastlyJson: Format = {
  name: 'fastly_json',
  parse(line: string): ParseOutcome {
    return parseFastlyJson(line);
  },
  parseText: parseFastlyText,
};
