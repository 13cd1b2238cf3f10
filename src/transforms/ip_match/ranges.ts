/**
 * An address range list for `ip_match`, loaded once: IPv4 CIDRs merged into sorted, disjoint
 * [start, end] intervals of 32-bit integers (binary search per lookup), IPv6 CIDRs kept as
 * (eight 16-bit parts, prefix) pairs (a linear scan: CDN lists hold a handful of IPv6 blocks).
 *
 * File shapes: Fastly's public list JSON (`{"addresses": [...], "ipv6_addresses": [...]}`, as served
 * by https://api.fastly.com/public-ip-list), or text with one CIDR (or bare address) per line, `#`
 * starting a comment.
 */
import { readFileSync } from 'node:fs';
import { maskIPv6, parseIP } from '../ip.js';

export class RangeFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RangeFileError';
  }
}

export interface IpRanges {
  /** Merged IPv4 intervals: starts[i]..ends[i] inclusive, sorted, disjoint. */
  starts: Uint32Array;
  ends: Uint32Array;
  /** IPv6 networks (already masked) and their prefix lengths. */
  v6: Array<{ parts: number[]; bits: number }>;
}

export function ipv4Contains(r: IpRanges, ip: number): boolean {
  const { starts, ends } = r;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (ip < starts[mid]!) hi = mid - 1;
    else if (ip > ends[mid]!) lo = mid + 1;
    else return true;
  }
  return false;
}

export function ipv6Contains(r: IpRanges, parts: number[]): boolean {
  outer: for (let n = 0; n < r.v6.length; n++) {
    const { parts: net, bits } = r.v6[n]!;
    for (let i = 0; i < 8; i++) {
      const keep = bits - i * 16;
      if (keep <= 0) break;
      const mask = keep >= 16 ? 0xffff : (0xffff << (16 - keep)) & 0xffff;
      if ((parts[i]! & mask) !== net[i]) continue outer;
    }
    return true;
  }
  return false;
}

/** Parses one entry ("151.101.0.0/16", "2a04:4e42::/32", or a bare address). Throws a short reason. */
function addEntry(entry: string, v4: Array<[number, number]>, v6: IpRanges['v6']): void {
  const slash = entry.indexOf('/');
  const addr = slash < 0 ? entry : entry.slice(0, slash);
  const p = parseIP(addr);
  if (p === undefined) throw new Error(`"${entry}" is not an IPv4 or IPv6 address range`);
  const isMappedText = p.v6 === undefined && addr.includes(':');
  let bits: number;
  if (slash < 0) bits = p.v6 === undefined ? 32 : 128;
  else {
    const b = entry.slice(slash + 1);
    bits = /^\d{1,3}$/.test(b) ? Number(b) : NaN;
    // ::ffff:a.b.c.d/120 style: an IPv4-mapped network counts its prefix over 128 bits.
    if (isMappedText) bits -= 96;
    const max = p.v6 === undefined ? 32 : 128;
    if (!(bits >= 0 && bits <= max)) throw new Error(`"${entry}" has an invalid prefix length`);
  }
  if (p.v6 === undefined) {
    const size = 2 ** (32 - bits);
    const start = Math.floor(p.v4 / size) * size;
    v4.push([start, start + size - 1]);
  } else {
    v6.push({ parts: maskIPv6(p.v6.slice(), bits), bits });
  }
}

/** Parses file content (JSON list or CIDR-per-line text). `name` is used in error messages. */
export function parseRanges(text: string, name: string): IpRanges {
  const v4: Array<[number, number]> = [];
  const v6: IpRanges['v6'] = [];
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (err) {
      throw new RangeFileError(`${name}: not valid JSON (${(err as Error).message})`);
    }
    const d = doc as Record<string, unknown>;
    const lists = ['addresses', 'ipv6_addresses'].filter((k) => d[k] !== undefined);
    if (lists.length === 0) throw new RangeFileError(`${name}: expected "addresses" and/or "ipv6_addresses" lists (Fastly's public IP list shape)`);
    for (const k of lists) {
      const list = d[k];
      if (!Array.isArray(list)) throw new RangeFileError(`${name}: "${k}" must be a list of CIDR strings`);
      list.forEach((e, i) => {
        try {
          if (typeof e !== 'string') throw new Error('not a string');
          addEntry(e.trim(), v4, v6);
        } catch (err) {
          throw new RangeFileError(`${name}: ${k}[${i}]: ${(err as Error).message}`);
        }
      });
    }
  } else {
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const hash = lines[i]!.indexOf('#');
      const entry = (hash < 0 ? lines[i]! : lines[i]!.slice(0, hash)).trim();
      if (entry === '') continue;
      try {
        addEntry(entry, v4, v6);
      } catch (err) {
        throw new RangeFileError(`${name}: line ${i + 1}: ${(err as Error).message}`);
      }
    }
  }
  if (v4.length === 0 && v6.length === 0) throw new RangeFileError(`${name}: no address ranges found`);
  return { ...mergeV4(v4), v6 };
}

function mergeV4(list: Array<[number, number]>): { starts: Uint32Array; ends: Uint32Array } {
  list.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [s, e] of list) {
    const last = merged[merged.length - 1];
    if (last !== undefined && s <= last[1] + 1) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return { starts: Uint32Array.from(merged, (m) => m[0]), ends: Uint32Array.from(merged, (m) => m[1]) };
}

/** Reads and parses a range file; every failure is a RangeFileError naming the file. */
export function loadRanges(file: string): IpRanges {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RangeFileError(`${file}: cannot read (${code ?? (err as Error).message})`);
  }
  return parseRanges(text, file);
}
