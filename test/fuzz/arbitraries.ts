/**
 * fast-check generators of hostile log input, shared by the fuzz tests: arbitrary bytes (invalid
 * UTF-8, NUL), near-miss lines of each format (a valid line with a random cut, splice or byte flip),
 * JSON with huge numbers and deep nesting, CSV with broken quoting.
 */
import fc from 'fast-check';

const enc = new TextEncoder();

export const VALID_LINES = [
  '{"timestamp":"2024-05-01T12:00:00Z","client_ip":"203.0.113.7","host":"dl.k8s.io","url":"/release/v1.28.0/bin/linux/amd64/kubectl?x=1","method":"GET","status":200,"cache_state":"HIT","req_bytes":412,"resp_bytes":49864704,"pop":"IAD","elapsed_us":183422,"is_edge":true}',
  '{"date":"2024-05-01T12:00:00Z","host":"dl.k8s.io","http":{"status_code":"200","url":"/a?b","method":"GET","useragent":"curl/8"},"network":{"client":{"ip":"2001:db8::1","number":"64500"},"geoip":{"geo_country_code":"US"},"bytes_written":"123"}}',
  '203.0.113.7 - - [01/May/2024:12:00:00 +0000] "GET /release/v1.28.0/bin/linux/amd64/kubectl HTTP/1.1" 200 49864192 "-" "curl/8.4.0"',
  '198.51.100.4 - frank [10/Oct/2000:13:55:36 -0700] "GET /a\\x22b HTTP/1.0" 304 - "http://x/\\"" "Mozilla \\xe9\\x9b\\x86"',
  '"1693206014339368","172.71.142.38","1","","GET","/v1/kanji/%E9%9B%86","200","0","277","488000","kanjiapi.dev","http://127.0.0.1:59961/","Mozilla ""quoted"" UA","ADPycduvHuLfdAtc","GET_Object","kanjiapi.dev","v1/kanji/集"',
  '"time_micros","c_ip","c_ip_type","c_ip_region","cs_method","cs_uri","sc_status","cs_bytes","sc_bytes","time_taken_micros","cs_host","cs_referer","cs_user_agent","s_request_id","cs_operation","cs_bucket","cs_object"',
  '<134>2016-09-20T19:21:00Z cache-jfk8145 endpoint-name[95219]: {"status":200,"url":"/x"}',
  'tok3n <134>1 2016-09-20T19:21:00Z cache-fra-eddf8230-FRA ep 95219 - [a b="c\\"]"] 203.0.113.7 - - [01/May/2024:12:00:00 +0000] "GET / HTTP/2" 200 5',
];

/** A valid line of some format, then mutated: cut, spliced with junk, a byte replaced, repeated. */
const nearMiss: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.constantFrom(...VALID_LINES), fc.nat(), fc.nat(), fc.uint8Array({ maxLength: 12 }), fc.integer({ min: 0, max: 4 }))
  .map(([line, a, b, junk, op]) => {
    const bytes = enc.encode(line);
    const i = a % (bytes.length + 1);
    const j = b % (bytes.length + 1);
    switch (op) {
      case 0: return bytes.subarray(0, i);
      case 1: return concat(bytes.subarray(0, i), junk, bytes.subarray(i));
      case 2: return concat(bytes.subarray(0, Math.min(i, j)), bytes.subarray(Math.max(i, j)));
      case 3: {
        const out = Uint8Array.from(bytes);
        if (out.length > 0) out[i % out.length] = junk[0] ?? 0;
        return out;
      }
      default: return concat(bytes, junk, bytes);
    }
  });

/** JSON objects with canonical keys holding any JSON value, huge/odd numbers, deep nesting, __proto__. */
const numberText = fc.oneof(
  fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '1e-400', '-0', '0.0000001', '9007199254740993', '2e308'),
  fc.double().filter(Number.isFinite).map(String),
);
const key = fc.constantFrom('timestamp', 'status', 'client_ip', 'url', 'query', 'is_edge', 'layer', 'resp_bytes', '__proto__', 'constructor', 'parse_error', 'http', 'network', 'date', 'time_start', 'x');
const jsonValueText: fc.Arbitrary<string> = fc.oneof(
  numberText,
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => JSON.stringify(s)),
  fc.integer({ min: 1, max: 3000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 1, max: 3000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
);
const jsonObject: fc.Arbitrary<Uint8Array> = fc
  .array(fc.tuple(key, jsonValueText), { maxLength: 8 })
  .chain((members) => fc.boolean().map((ts) => (ts ? [['timestamp', '"2024-05-01T12:00:00Z"'] as [string, string], ...members] : members)))
  .map((members) => enc.encode(`{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`));

/** CSV rows: random column counts, quoted and unquoted values, doubled / stray / unterminated quotes. */
const csvCell = fc.oneof(
  fc.string({ maxLength: 10 }).map((s) => `"${s.replace(/"/g, '""')}"`),
  fc.string({ maxLength: 10 }),
  fc.constantFrom('"', '""', '"""', '"a"b', 'a"b', '"unterminated', '"1693206014339368"', '"-1"', '"1e400"', '"99999999999999999999999"'),
);
const csvRow: fc.Arbitrary<Uint8Array> = fc.array(csvCell, { minLength: 0, maxLength: 20 }).map((cells) => enc.encode(cells.join(',')));

const syslogish: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.constantFrom('', 'tok ', 'x'), fc.string({ maxLength: 5 }), fc.constantFrom('', '1 '), fc.string({ maxLength: 40 }))
  .map(([tok, pri, v, rest]) => enc.encode(`${tok}<${pri}>${v}${rest}`));

/** One "line" of bytes (may itself contain \n and \r: the splitter decides what a line is). */
export const hostileLine: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }).map((s) => enc.encode(s)) },
  { weight: 3, arbitrary: nearMiss },
  { weight: 3, arbitrary: jsonObject },
  { weight: 2, arbitrary: csvRow },
  { weight: 2, arbitrary: syslogish },
  { weight: 1, arbitrary: fc.constantFrom(...VALID_LINES).map((l) => enc.encode(l)) },
);

/** Several lines joined by \n or \r\n, with a few chunk boundaries for the splitter. */
export const hostileFile = fc.record({
  lines: fc.array(hostileLine, { maxLength: 12 }),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
  cuts: fc.array(fc.nat(), { maxLength: 4 }),
});

export function concat(...parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
