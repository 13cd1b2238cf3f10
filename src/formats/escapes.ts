/**
 * Decoding of the escapes web servers write inside quoted access-log values:
 * - Apache / nginx / h2o (default) style: `\xNN` for bytes (runs of them are UTF-8: `\xe9\x9b\x86` → 集),
 *   plus Apache's `\"` and `\\`;
 * - JSON style (h2o `escape: json`, nginx `escape=json`): `\"`, `\\`, `\/`, `\n`, `\r`, `\t`, `\b`, `\f`, `\uNNNN`.
 * An unknown or truncated escape is kept as written.
 */

const utf8 = new TextDecoder('utf-8'); // not fatal: invalid byte runs become U+FFFD

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

function hexAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const h = hex(s.charCodeAt(i + k));
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

function decodeBytes(bytes: number[]): string {
  return bytes.length === 1 && bytes[0]! < 0x80 ? String.fromCharCode(bytes[0]!) : utf8.decode(Uint8Array.from(bytes));
}

const SIMPLE: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

export function unescapeLogValue(s: string): string {
  let j = s.indexOf('\\');
  if (j < 0) return s;
  let out = '';
  let from = 0;
  let bytes: number[] = [];
  const n = s.length;
  while (j >= 0) {
    if (j > from) {
      if (bytes.length > 0) { out += decodeBytes(bytes); bytes = []; }
      out += s.slice(from, j);
    }
    const e = s[j + 1];
    let width = 2;
    if (e === 'x' && (j + 4 <= n) && hexAt(s, j + 2, 2) >= 0) {
      bytes.push(hexAt(s, j + 2, 2));
      width = 4;
    } else {
      if (bytes.length > 0) { out += decodeBytes(bytes); bytes = []; }
      const simple = e === undefined ? undefined : SIMPLE[e];
      if (simple !== undefined) {
        out += simple;
      } else if (e === 'u' && hexAt(s, j + 2, 4) >= 0) {
        out += String.fromCharCode(hexAt(s, j + 2, 4));
        width = 6;
      } else {
        out += '\\';
        width = 1;
      }
    }
    from = j + width;
    j = s.indexOf('\\', from);
  }
  if (bytes.length > 0) out += decodeBytes(bytes);
  return from < n ? out + s.slice(from) : out;
}

/**
 * Index of the quote closing a value that starts at `from` (just after its opening quote), skipping
 * backslash-escaped quotes; -1 when the value is not closed.
 */
export function closingQuote(line: string, from: number): number {
  let q = line.indexOf('"', from);
  while (q >= 0) {
    let b = 0;
    while (q - b - 1 >= from && line.charCodeAt(q - b - 1) === 92) b++;
    if ((b & 1) === 0) return q;
    q = line.indexOf('"', q + 1);
  }
  return -1;
}
