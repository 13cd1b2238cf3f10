/**
 * The log → Fastly rt counters mapping (PROTOCOLS.md), in ONE place: the LiveStore rollup, the
 * `fastly` sink (agent-side per-second records) and the ingest endpoint all count through here.
 * A POP's counters for one second are an RtBlock: fixed slots of a Float64Array (rt-keys.ts) plus
 * the miss histogram.
 */
import type { Fields } from '../core/event.js';
import { K, RT_KEY_COUNT, STATUS_SLOT, StateClass, classifyState, statusClassSlot } from './rt-keys.js';

/** One POP's counters for one second. `hist` = miss_histogram: 10 ms bucket (lower bound, ms) → count. */
export interface RtBlock {
  c: Float64Array;
  hist: Map<number, number>;
}

/** The rt data of one second: blocks per POP; events without a pop go to `noPop` (aggregated only). */
export interface RtSecond {
  sec: number;
  pops: Map<string, RtBlock>;
  noPop: RtBlock | undefined;
}

export function newBlock(): RtBlock {
  return { c: new Float64Array(RT_KEY_COUNT), hist: new Map() };
}

/** Adds `src` into `dst` (counters and histogram). */
export function addBlock(dst: RtBlock, src: RtBlock): void {
  const d = dst.c, s = src.c;
  for (let i = 0; i < RT_KEY_COUNT; i++) d[i]! += s[i]!;
  for (const [k, v] of src.hist) dst.hist.set(k, (dst.hist.get(k) ?? 0) + v);
}

/** The block of `pop` in a second (created on first use); undefined pop → the noPop block. */
export function blockOf(s: RtSecond, pop: string | undefined): RtBlock {
  if (pop === undefined) return (s.noPop ??= newBlock());
  let b = s.pops.get(pop);
  if (b === undefined) {
    b = newBlock();
    s.pops.set(pop, b);
  }
  return b;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Response body bytes of an event: resp_body_bytes, else resp_bytes (formats that only have that). */
export function bodyBytes(f: Fields): number {
  return num(f.resp_body_bytes) ?? num(f.resp_bytes) ?? 0;
}

/** The event's POP, or undefined. */
export function popOf(f: Fields): string | undefined {
  return typeof f.pop === 'string' && f.pop !== '' ? f.pop : undefined;
}

const PROTO_NONE = 0, PROTO_H2 = 2, PROTO_H3 = 3;
function protoClass(p: string): number {
  const s = p.toUpperCase();
  if (s === 'HTTP/2' || s === 'HTTP/2.0' || s === 'H2' || s === 'H2C') return PROTO_H2;
  if (s === 'HTTP/3' || s === 'HTTP/3.0' || s === 'H3') return PROTO_H3;
  return PROTO_NONE;
}
/** 0 = no TLS, 1 = TLS (other version), 12, 13. */
function tlsClass(v: string): number {
  if (v === '' || v === '-') return 0;
  if (v.includes('1.3')) return 13;
  if (v.includes('1.2')) return 12;
  return 1;
}

/** Memoizes a string → class function over the few distinct values a field takes (bounded). */
function memo<T>(fn: (s: string) => T, max = 256): (s: string) => T {
  const cache = new Map<string, T>();
  return (s) => {
    let v = cache.get(s);
    if (v === undefined) {
      v = fn(s);
      if (cache.size < max) cache.set(s, v);
    }
    return v;
  };
}

/**
 * Counts edge-layer log events into rt blocks. Holds the memo caches of the string classifiers,
 * so keep one per consumer (not per event).
 */
export class RtCounter {
  readonly #state = memo(classifyState);
  readonly #proto = memo(protoClass);
  readonly #tls = memo(tlsClass);

  /**
   * Adds one edge-layer event (not `layer: origin`) with body bytes `body` to `block`.
   * Returns false for a shield hop (`is_edge: false`): counted as shield only, not as a request.
   */
  add(block: RtBlock, f: Fields, body: number): boolean {
    const c = block.c;
    if (f.is_edge === false) {
      // A shield hop: the request is counted once, at the edge POP that received it.
      c[K.shield]! += 1;
      c[K.shield_resp_body_bytes]! += body;
      return false;
    }
    c[K.requests]! += 1;
    c[K.edge_requests]! += 1;
    c[K.resp_body_bytes]! += body;
    c[K.edge_resp_body_bytes]! += body;

    const elapsedUs = num(f.elapsed_us) ?? 0;
    if (typeof f.cache_state === 'string') {
      switch (this.#state(f.cache_state)) {
        case StateClass.Hit:
          c[K.hits]! += 1;
          c[K.edge_hit_requests]! += 1;
          c[K.hits_time]! += elapsedUs / 1e6;
          break;
        case StateClass.Miss: {
          c[K.miss]! += 1;
          c[K.edge_miss_requests]! += 1;
          c[K.miss_time]! += elapsedUs / 1e6;
          c[K.origin_fetches]! += 1;
          c[K.origin_fetch_resp_body_bytes]! += body;
          const bk = Math.floor(elapsedUs / 10_000) * 10;
          block.hist.set(bk, (block.hist.get(bk) ?? 0) + 1);
          break;
        }
        case StateClass.Pass:
          c[K.pass]! += 1;
          c[K.origin_fetches]! += 1;
          c[K.origin_fetch_resp_body_bytes]! += body;
          break;
        case StateClass.Error:
          c[K.errors]! += 1;
          break;
        case StateClass.Synth:
          c[K.synth]! += 1;
          break;
      }
    }
    const status = f.status;
    if (typeof status === 'number') {
      const cls = statusClassSlot(status);
      if (cls >= 0) {
        c[cls]! += 1;
        const slot = STATUS_SLOT[status]!;
        if (slot >= 0) c[slot]! += 1;
      }
    }
    const respBytes = num(f.resp_bytes);
    const hdr = num(f.resp_header_bytes) ?? (respBytes !== undefined && typeof f.resp_body_bytes === 'number' ? Math.max(0, respBytes - f.resp_body_bytes) : 0);
    c[K.resp_header_bytes]! += hdr;
    c[K.req_header_bytes]! += num(f.req_header_bytes) ?? num(f.req_bytes) ?? 0;
    c[K.req_body_bytes]! += num(f.req_body_bytes) ?? 0;
    if (typeof f.protocol === 'string') {
      const p = this.#proto(f.protocol);
      if (p === PROTO_H2) c[K.http2]! += 1;
      else if (p === PROTO_H3) c[K.http3]! += 1;
    }
    if (typeof f.tls_version === 'string') {
      const t = this.#tls(f.tls_version);
      if (t !== 0) {
        c[K.tls]! += 1;
        if (t === 12) c[K.tls_v12]! += 1;
        else if (t === 13) c[K.tls_v13]! += 1;
      }
    }
    if (typeof f.client_ip === 'string' && f.client_ip.includes(':')) c[K.ipv6]! += 1;
    return true;
  }
}
