/**
 * IP address helpers shared by `redact` and `ip_match`. IPv4 is parsed by hand into a 32-bit
 * integer (no allocation per event); IPv6 goes through ipaddr.js, and IPv4-mapped IPv6
 * (`::ffff:1.2.3.4`) is reported as the IPv4 address it carries.
 */
import ipaddr from 'ipaddr.js';

/** Strict dotted quad ("a.b.c.d", 0-255 each, no leading "+", at most 3 digits) → uint32, or -1. */
export function parseIPv4(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
      if (digits > 3 || part > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

export function formatIPv4(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** The network address of `v` under a prefix of `bits` (0-32). */
export function maskIPv4(v: number, bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return v >>> 0;
  return (v & (0xffffffff << (32 - bits))) >>> 0;
}

/** A parsed address: IPv4 as uint32, IPv6 as its eight 16-bit parts. */
export type ParsedIP = { v4: number; v6: undefined } | { v4: -1; v6: number[] };

/** Parses an IPv4 or IPv6 address (IPv4-mapped IPv6 → IPv4); undefined when it is neither. */
export function parseIP(s: string): ParsedIP | undefined {
  const v4 = parseIPv4(s);
  if (v4 >= 0) return { v4, v6: undefined };
  if (s.indexOf(':') < 0 || !ipaddr.IPv6.isValid(s)) return undefined;
  const a = ipaddr.IPv6.parse(s);
  if (a.isIPv4MappedAddress()) {
    const o = a.toIPv4Address().octets;
    return { v4: ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0, v6: undefined };
  }
  return { v4: -1, v6: a.parts };
}

/** Zeroes the bits after `bits` of an IPv6 address, in place. */
export function maskIPv6(parts: number[], bits: number): number[] {
  for (let i = 0; i < 8; i++) {
    const keep = bits - i * 16;
    if (keep >= 16) continue;
    parts[i] = keep <= 0 ? 0 : parts[i]! & ((0xffff << (16 - keep)) & 0xffff);
  }
  return parts;
}

/** RFC 5952 text of eight 16-bit parts (e.g. 2001:db8:1::). */
export function formatIPv6(parts: number[]): string {
  return new ipaddr.IPv6(parts).toRFC5952String();
}
