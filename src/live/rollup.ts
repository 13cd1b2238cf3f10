/**
 * Per-second rollups keyed by the EVENT's timestamp (not arrival), per service, per POP: the data
 * behind the rt-compatible API and the live feed. A bounded ring per service holds the last
 * `retentionSecs` seconds; older events are counted as late (never merged into "now"), events
 * further in the future than a small skew are counted and dropped.
 *
 * Only the POP blocks are written on the hot path; "aggregated" is their sum, computed on read.
 */
import type { Event } from '../core/event.js';
import { K, RT_KEY_COUNT, STATUS_SLOT, StateClass, classifyState, statusClassSlot } from './rt-keys.js';

/** One POP's counters for one second. `hist` = miss_histogram: 10 ms bucket (lower bound, ms) → count. */
export interface RtBlock {
  c: Float64Array;
  hist: Map<number, number>;
}

export interface SecondBucket {
  sec: number;
  /** Rt counters per POP; events without a pop go to `noPop` (in aggregated, not in datacenter). */
  pops: Map<string, RtBlock>;
  noPop: RtBlock | undefined;
  /** Requests per Host (edge requests and origin requests), bounded by maxHostsPerSecond. */
  hosts: Map<string, number>;
  /** Requests by layer: edge (is_edge not false) and origin; origin split by via_cdn. */
  edge: number;
  origin: number;
  originViaCdn: number;
  originBypass: number;
  /** Response body bytes (resp_body_bytes, else resp_bytes) by layer. */
  edgeBytes: number;
  originBytes: number;
}

export interface RollupOptions {
  retentionSecs?: number;
  /** Events up to this many seconds ahead of the clock are kept; further ones are dropped. */
  futureSkewSecs?: number;
  /** Clock, epoch ms (tests inject one). */
  now?: () => number;
  maxServices?: number;
  maxHostsPerSecond?: number;
}

export interface IngestResult {
  merged: number;
  late: number;
  future: number;
  /** Dropped because maxServices distinct services exist already. */
  overflow: number;
}

export interface RollupStats {
  merged: number;
  late: number;
  future: number;
  overflow: number;
}

export const OTHER_HOSTS = '(other)';

function newBlock(): RtBlock {
  return { c: new Float64Array(RT_KEY_COUNT), hist: new Map() };
}

function newBucket(sec: number): SecondBucket {
  return { sec, pops: new Map(), noPop: undefined, hosts: new Map(), edge: 0, origin: 0, originViaCdn: 0, originBypass: 0, edgeBytes: 0, originBytes: 0 };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
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

class ServiceRing {
  readonly slots: (SecondBucket | undefined)[];
  constructor(size: number) {
    this.slots = new Array<SecondBucket | undefined>(size).fill(undefined);
  }
  /** The bucket for `sec`, reusing (resetting) the slot of a second that has left the window. */
  bucket(sec: number): SecondBucket {
    const i = sec % this.slots.length;
    let b = this.slots[i];
    if (b === undefined || b.sec !== sec) {
      b = newBucket(sec);
      this.slots[i] = b;
    }
    return b;
  }
  get(sec: number): SecondBucket | undefined {
    const b = this.slots[sec % this.slots.length];
    return b !== undefined && b.sec === sec ? b : undefined;
  }
}

export class LiveStore {
  readonly retentionSecs: number;
  readonly futureSkewSecs: number;
  readonly #now: () => number;
  readonly #maxServices: number;
  readonly #maxHosts: number;
  readonly #services = new Map<string, ServiceRing>();
  readonly #listeners = new Set<() => void>();
  readonly #eventListeners = new Set<(events: readonly Event[]) => void>();
  readonly #stats: RollupStats = { merged: 0, late: 0, future: 0, overflow: 0 };
  readonly #state = memo(classifyState);
  readonly #proto = memo(protoClass);
  readonly #tls = memo(tlsClass);

  constructor(opts: RollupOptions = {}) {
    this.retentionSecs = opts.retentionSecs ?? 900;
    this.futureSkewSecs = opts.futureSkewSecs ?? 60;
    this.#now = opts.now ?? Date.now;
    this.#maxServices = opts.maxServices ?? 1000;
    this.#maxHosts = opts.maxHostsPerSecond ?? 1000;
  }

  nowSec(): number {
    return Math.floor(this.#now() / 1000);
  }

  /** Oldest second still retained. */
  oldestSec(): number {
    return this.nowSec() - this.retentionSecs + 1;
  }

  get stats(): Readonly<RollupStats> {
    return this.#stats;
  }

  serviceIds(): string[] {
    return [...this.#services.keys()];
  }

  /** Called after every ingest that merged something. Returns an unsubscribe function. */
  onData(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Called with every batch given to ingest (before it is aggregated): the live feed filters and
   * rolls up its own views from these. Listeners must not keep or mutate the array. Returns an
   * unsubscribe function.
   */
  onEvents(listener: (events: readonly Event[]) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /** Aggregates one batch in a single pass. Metric events are ignored. */
  ingest(events: readonly Event[], defaultServiceId: string): IngestResult {
    for (const l of this.#eventListeners) l(events);
    const nowSec = this.nowSec();
    const lo = nowSec - this.retentionSecs + 1;
    const hi = nowSec + this.futureSkewSecs;
    let merged = 0, late = 0, future = 0, overflow = 0;
    let lastSid: string | undefined;
    let ring: ServiceRing | undefined;
    let lastSec = NaN;
    let bucket: SecondBucket | undefined;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!;
      if (ev.type !== 'log') continue;
      const sec = Math.floor(ev.timestamp / 1000);
      if (!(sec >= lo)) {
        late++;
        continue;
      }
      if (sec > hi) {
        future++;
        continue;
      }
      const f = ev.fields;
      const sid = typeof f.service_id === 'string' && f.service_id !== '' ? f.service_id : defaultServiceId;
      if (sid !== lastSid) {
        ring = this.#ring(sid);
        lastSid = sid;
        lastSec = NaN;
      }
      if (ring === undefined) {
        overflow++;
        continue;
      }
      if (sec !== lastSec) {
        bucket = ring.bucket(sec);
        lastSec = sec;
      }
      const b = bucket!;
      merged++;
      const body = num(f.resp_body_bytes) ?? num(f.resp_bytes) ?? 0;

      if (f.layer === 'origin') {
        b.origin++;
        b.originBytes += body;
        if (f.via_cdn === true) b.originViaCdn++;
        else b.originBypass++;
        this.#countHost(b, f.host);
        continue;
      }

      const pop = typeof f.pop === 'string' && f.pop !== '' ? f.pop : undefined;
      let block: RtBlock | undefined;
      if (pop === undefined) block = b.noPop ??= newBlock();
      else {
        block = b.pops.get(pop);
        if (block === undefined) {
          block = newBlock();
          b.pops.set(pop, block);
        }
      }
      const c = block.c;
      if (f.is_edge === false) {
        // A shield hop: the request is counted once, at the edge POP that received it.
        c[K.shield]! += 1;
        c[K.shield_resp_body_bytes]! += body;
        continue;
      }
      b.edge++;
      b.edgeBytes += body;
      this.#countHost(b, f.host);
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
    }
    const s = this.#stats;
    s.merged += merged;
    s.late += late;
    s.future += future;
    s.overflow += overflow;
    if (merged > 0) for (const l of this.#listeners) l();
    return { merged, late, future, overflow };
  }

  /**
   * Retained seconds of a service in (afterSec, uptoSec], ascending, that hold any data.
   */
  seconds(serviceId: string, afterSec: number, uptoSec: number): SecondBucket[] {
    const ring = this.#services.get(serviceId);
    if (ring === undefined) return [];
    const from = Math.max(afterSec + 1, this.oldestSec());
    const out: SecondBucket[] = [];
    for (let s = from; s <= uptoSec; s++) {
      const b = ring.get(s);
      if (b !== undefined) out.push(b);
    }
    return out;
  }

  #ring(sid: string): ServiceRing | undefined {
    let r = this.#services.get(sid);
    if (r === undefined) {
      if (this.#services.size >= this.#maxServices) return undefined;
      r = new ServiceRing(this.retentionSecs + this.futureSkewSecs);
      this.#services.set(sid, r);
    }
    return r;
  }

  #countHost(b: SecondBucket, host: unknown): void {
    if (typeof host !== 'string' || host === '') return;
    const n = b.hosts.get(host);
    if (n !== undefined) b.hosts.set(host, n + 1);
    else if (b.hosts.size < this.#maxHosts) b.hosts.set(host, 1);
    else b.hosts.set(OTHER_HOSTS, (b.hosts.get(OTHER_HOSTS) ?? 0) + 1);
  }
}
