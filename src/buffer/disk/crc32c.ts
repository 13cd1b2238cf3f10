/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven, one byte per step.
 * Node 20 has no built-in crc32c; zlib.crc32 is the IEEE polynomial and arrived in Node 22.
 */

const TABLE = buildTable();

function buildTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** CRC-32C of buf[start..end), continuing from `crc` (pass the previous result to chain pieces). */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
