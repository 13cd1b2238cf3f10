/**
 * Per-second rollups keyed by the EVENT's timestamp (not arrival), per service, per POP: the data
 * behind the rt-compatible API and the live feed. A bounded ring per service holds the last
 * `retentionSecs` seconds; older events are counted as late (never merged into "now"), events
 * further in the future than a small skew are counted and dropped.
 *
 * Only the POP blocks are written on the hot path; "aggregated" is their sum, computed on read.
 */
import type { Event } from '../core/event.js';
import { K } from './rt-keys.js';
import { RtCounter, addBlock, blockOf, bodyBytes, popOf, type RtBlock, type RtSecond } from './rt-accumulate.js';

export type { RtBlock } from './rt-accumulate.js';

export interface SecondBucket extends RtSecond {
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

/** Outcome of merging one pre-aggregated second (mergeSecond). */
export type MergeOutcome = 'merged' | 'late' | 'future' | 'overflow';

export const OTHER_HOSTS = '(other)';

function newBucket(sec: number): SecondBucket {
  return { sec, pops: new Map(), noPop: undefined, hosts: new Map(), edge: 0, origin: 0, originViaCdn: 0, originBypass: 0, edgeBytes: 0, originBytes: 0 };
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
  readonly #secondListeners = new Set<(rec: RtSecond) => void>();
  readonly #stats: RollupStats = { merged: 0, late: 0, future: 0, overflow: 0 };
  readonly #counter = new RtCounter();

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

  /** Subscribes to the pre-aggregated seconds merged by mergeSecond (the live feed's unfiltered
   *  view shows fleet records too). Returns the unsubscribe function. */
  onSeconds(listener: (rec: RtSecond) => void): () => void {
    this.#secondListeners.add(listener);
    return () => this.#secondListeners.delete(listener);
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
      const body = bodyBytes(f);

      if (f.layer === 'origin') {
        b.origin++;
        b.originBytes += body;
        if (f.via_cdn === true) b.originViaCdn++;
        else b.originBypass++;
        this.#countHost(b, f.host);
        continue;
      }
      if (!this.#counter.add(blockOf(b, popOf(f)), f, body)) continue; // shield hop
      b.edge++;
      b.edgeBytes += body;
      this.#countHost(b, f.host);
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
   * Merges one pre-aggregated second (an rt record from an agent's `fastly` sink) into the same
   * rollups that log events feed: counters add up, so records of many agents (and late ones) land in
   * their second. Same window rules as ingest(): too old = late, too far ahead = future. Not added
   * to `stats` (which counts events); the caller counts records.
   */
  mergeSecond(serviceId: string, rec: RtSecond): MergeOutcome {
    const nowSec = this.nowSec();
    let out: MergeOutcome;
    if (!(rec.sec >= nowSec - this.retentionSecs + 1)) out = 'late';
    else if (rec.sec > nowSec + this.futureSkewSecs) out = 'future';
    else {
      const ring = this.#ring(serviceId);
      if (ring === undefined) out = 'overflow';
      else {
        const b = ring.bucket(rec.sec);
        const merge = (src: RtBlock, pop: string | undefined): void => {
          addBlock(blockOf(b, pop), src);
          b.edge += src.c[K.requests]!;
          b.edgeBytes += src.c[K.resp_body_bytes]!;
        };
        for (const [pop, blk] of rec.pops) merge(blk, pop);
        if (rec.noPop !== undefined) merge(rec.noPop, undefined);
        out = 'merged';
      }
    }
    if (out === 'merged') {
      for (const l of this.#secondListeners) l(rec);
      for (const l of this.#listeners) l();
    }
    return out;
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
