/**
 * One view of the live feed: the unfiltered view, or one filter in use. Events are filtered and
 * aggregated while they are ingested (one pass per batch, keyed by EVENT time) into per-second
 * accumulators, a sliding-window top-k and a tail reservoir; frames are built from them once per
 * second for all clients of the view (feed.ts). Bounded: `retentionSecs` seconds, bounded maps.
 */
import type { Event } from '../core/event.js';
import type { Condition } from '../core/expression.js';
import { K, StateClass, classifyState } from './rt-keys.js';
import type { RtSecond } from './rt-accumulate.js';
import { CACHE_CLASSES, STATUS_CLASSES, TOPK_DIMENSIONS, type LiveFilter, type LiveSecond, type TailEvent, type TopkLists, type TopkDimension } from './protocol.js';
import { WindowTopK, clientPrefix, type SpaceSaving } from './topk.js';

export interface FeedViewOptions {
  filter?: LiveFilter | null;
  predicate?: Condition | undefined;
  /** Seconds of history kept for snapshots (default 300). */
  retentionSecs?: number;
  /** Top-k window and sketch size (defaults 60 s, 200) and list length (20). */
  topkWindowSecs?: number;
  topkCapacity?: number;
  topk?: number;
  /** Tail events kept per frame (default 20, a uniform sample of the second's matches). */
  tailPerFrame?: number;
  now?: () => number;
}

export const OTHER = '(other)';
const MAX_HOSTS = 100, MAX_POPS = 200, MAX_RELEASES = 50;
const FUTURE_SKEW_SECS = 60;
const CACHE_SLOT: Record<number, number> = { [StateClass.Hit]: 0, [StateClass.Miss]: 1, [StateClass.Pass]: 2, [StateClass.Error]: 3, [StateClass.Synth]: 4 };

interface Acc {
  t: number;
  edge: number;
  origin: number;
  viaCdn: number;
  bypass: number;
  edgeBytes: number;
  originBytes: number;
  hitBytes: number;
  status: number[];
  cache: number[];
  hosts: Map<string, number>;
  pops: Map<string, number>;
  fetches: Map<string, Map<string, number>>;
  built: LiveSecond | undefined;
}

function newAcc(t: number): Acc {
  return { t, edge: 0, origin: 0, viaCdn: 0, bypass: 0, edgeBytes: 0, originBytes: 0, hitBytes: 0, status: [0, 0, 0, 0, 0], cache: [0, 0, 0, 0, 0], hosts: new Map(), pops: new Map(), fetches: new Map(), built: undefined };
}

function bump(m: Map<string, number>, k: string, max: number, by = 1): void {
  const n = m.get(k);
  if (n !== undefined) m.set(k, n + by);
  else if (m.size < max) m.set(k, by);
  else m.set(OTHER, (m.get(OTHER) ?? 0) + by);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' && v !== '-' ? v : undefined;
}

/** Builds the wire form of one second (pure; exported for tests). */
function buildSecond(a: Acc): LiveSecond {
  const demand = a.edge + a.bypass;
  const hm = a.cache[0]! + a.cache[1]!;
  const status = {} as LiveSecond['status'];
  STATUS_CLASSES.forEach((c, i) => (status[c] = a.status[i]!));
  const cache = {} as LiveSecond['cache'];
  CACHE_CLASSES.forEach((c, i) => (cache[c] = a.cache[i]!));
  const fetches: Record<string, Record<string, number>> = {};
  for (const [pop, m] of a.fetches) fetches[pop] = Object.fromEntries(m);
  return {
    t: a.t,
    requests: a.edge,
    edge: a.edge,
    origin: a.origin,
    originViaCdn: a.viaCdn,
    originBypass: a.bypass,
    cdnShare: demand > 0 ? a.edge / demand : null,
    bytes: a.edgeBytes + a.originBytes,
    edgeBytes: a.edgeBytes,
    originBytes: a.originBytes,
    status,
    cache,
    hitRatio: hm > 0 ? a.cache[0]! / hm : null,
    originOffload: a.edgeBytes > 0 ? a.hitBytes / a.edgeBytes : null,
    hosts: Object.fromEntries(a.hosts),
    pops: Object.fromEntries(a.pops),
    originFetches: fetches,
  };
}

export class FeedView {
  readonly filter: LiveFilter | null;
  readonly retentionSecs: number;
  readonly topkWindowSecs: number;
  readonly #pred: Condition | undefined;
  readonly #now: () => number;
  readonly #k: number;
  readonly #tailMax: number;
  readonly #secs = new Map<number, Acc>();
  readonly #dirty = new Set<number>();
  readonly #all: WindowTopK[];
  readonly #bypass: WindowTopK[];
  readonly #prefixes = new Map<string, string>();
  readonly #state = new Map<string, StateClass>();
  #tail: TailEvent[] = [];
  #tailSeen = 0;
  #newest = -Infinity;
  /** Events outside [now − retention, now + 60 s]: not merged. */
  late = 0;
  future = 0;

  constructor(opts: FeedViewOptions = {}) {
    this.filter = opts.filter ?? null;
    this.#pred = opts.predicate;
    this.retentionSecs = opts.retentionSecs ?? 300;
    this.topkWindowSecs = opts.topkWindowSecs ?? 60;
    this.#now = opts.now ?? Date.now;
    this.#k = opts.topk ?? 20;
    this.#tailMax = opts.tailPerFrame ?? 20;
    const cap = opts.topkCapacity ?? 200;
    this.#all = TOPK_DIMENSIONS.map(() => new WindowTopK(this.topkWindowSecs, cap));
    this.#bypass = TOPK_DIMENSIONS.map(() => new WindowTopK(this.topkWindowSecs, cap));
  }

  nowSec(): number {
    return Math.floor(this.#now() / 1000);
  }

  ingest(events: readonly Event[]): void {
    const nowSec = this.nowSec();
    const lo = nowSec - this.retentionSecs + 1;
    const hi = nowSec + FUTURE_SKEW_SECS;
    const pred = this.#pred;
    const dims = TOPK_DIMENSIONS.length;
    let lastSec = NaN;
    let acc: Acc | undefined;
    const all: (SpaceSaving | undefined)[] = new Array<SpaceSaving | undefined>(dims);
    const byp: (SpaceSaving | undefined)[] = new Array<SpaceSaving | undefined>(dims);
    const keys: (string | undefined)[] = new Array<string | undefined>(dims);
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]!;
      if (ev.type !== 'log') continue;
      const f = ev.fields;
      if (pred !== undefined && !pred(f)) continue;
      const sec = Math.floor(ev.timestamp / 1000);
      if (!(sec >= lo)) {
        this.late++;
        continue;
      }
      if (sec > hi) {
        this.future++;
        continue;
      }
      const isOrigin = f.layer === 'origin';
      if (!isOrigin && f.is_edge === false) continue; // shield hop: counted once, at the edge
      if (sec !== lastSec) {
        acc = this.#acc(sec);
        lastSec = sec;
        for (let d = 0; d < dims; d++) {
          all[d] = this.#all[d]!.sketch(sec);
          byp[d] = this.#bypass[d]!.sketch(sec);
        }
      }
      const a = acc!;
      a.built = undefined;
      this.#dirty.add(sec);
      const body = num(f.resp_body_bytes) ?? num(f.resp_bytes) ?? 0;
      const host = str(f.host);
      if (host !== undefined) bump(a.hosts, host, MAX_HOSTS);
      let bypass = false;
      if (isOrigin) {
        a.origin++;
        a.originBytes += body;
        if (f.via_cdn === true) a.viaCdn++;
        else {
          a.bypass++;
          bypass = true;
        }
      } else {
        a.edge++;
        a.edgeBytes += body;
        const status = f.status;
        if (typeof status === 'number' && status >= 100 && status < 600) a.status[Math.floor(status / 100) - 1]!++;
        const pop = str(f.pop);
        if (pop !== undefined) bump(a.pops, pop, MAX_POPS);
        if (typeof f.cache_state === 'string') {
          const cls = this.#classify(f.cache_state);
          const slot = CACHE_SLOT[cls];
          if (slot !== undefined) a.cache[slot]!++;
          if (cls === StateClass.Hit) a.hitBytes += body;
          else if (cls === StateClass.Miss || cls === StateClass.Pass) {
            const p = pop ?? OTHER;
            let m = a.fetches.get(p);
            if (m === undefined) {
              m = new Map();
              if (a.fetches.size < MAX_POPS) a.fetches.set(p, m);
            }
            bump(m, str(f.release) ?? OTHER, MAX_RELEASES);
          }
        }
      }
      // Top-k over demand: edge requests and bypassing origin requests (cache fills are not demand).
      if (isOrigin && !bypass) {
        this.#sampleTail(ev.timestamp, f);
        continue;
      }
      keys[0] = str(f.path) ?? str(f.url);
      keys[1] = str(f.release);
      keys[2] = str(f.user_agent);
      keys[3] = typeof f.client_ip === 'string' && f.client_ip !== '' ? this.#prefix(f.client_ip) : undefined;
      keys[4] = str(f.referer);
      for (let d = 0; d < dims; d++) {
        const k = keys[d];
        if (k === undefined) continue;
        all[d]?.add(k);
        if (bypass) byp[d]?.add(k);
      }
      this.#sampleTail(ev.timestamp, f);
    }
  }

  /**
   * Merges one pre-aggregated edge second (an agent's rt record, POST …/ingest) into this view:
   * requests, body bytes, status classes, cache classes and requests per POP. Records carry no
   * hosts, paths, user agents or origin logs, so top-k, hosts, the POP × release matrix and the
   * tail stay as the log events made them. Bytes served from cache are taken as body bytes minus
   * origin-fetch body bytes (Fastly's origin offload). Only for the unfiltered view: a filter
   * cannot be applied to aggregates.
   */
  mergeRtSecond(rec: RtSecond): void {
    const now = this.nowSec();
    if (!(rec.sec >= now - this.retentionSecs + 1)) {
      this.late++;
      return;
    }
    if (rec.sec > now + FUTURE_SKEW_SECS) {
      this.future++;
      return;
    }
    const a = this.#acc(rec.sec);
    a.built = undefined;
    this.#dirty.add(rec.sec);
    const add = (c: Float64Array): void => {
      a.edge += c[K.requests]!;
      const body = c[K.resp_body_bytes]!;
      a.edgeBytes += body;
      a.hitBytes += Math.max(0, body - c[K.origin_fetch_resp_body_bytes]!);
      for (let i = 0; i < 5; i++) a.status[i]! += c[K.status_1xx + i]!;
      a.cache[0]! += c[K.hits]!;
      a.cache[1]! += c[K.miss]!;
      a.cache[2]! += c[K.pass]!;
      a.cache[3]! += c[K.errors]!;
      a.cache[4]! += c[K.synth]!;
    };
    for (const [pop, blk] of rec.pops) {
      add(blk.c);
      const n = blk.c[K.requests]!;
      if (n > 0) bump(a.pops, pop, MAX_POPS, n);
    }
    if (rec.noPop !== undefined) add(rec.noPop.c);
  }

  /** Complete seconds (before the current one) with data, within the last `secs` seconds. */
  snapshotSeconds(secs = this.retentionSecs): LiveSecond[] {
    const now = this.nowSec();
    this.#evict(now);
    const from = now - Math.min(secs, this.retentionSecs);
    const out: LiveSecond[] = [];
    for (const a of this.#secs.values()) if (a.t >= from && a.t < now) out.push(this.#built(a));
    return out.sort((x, y) => x.t - y.t);
  }

  /** New or changed complete seconds since the last call (shared by all clients of the view). */
  takeDelta(): LiveSecond[] {
    const now = this.nowSec();
    this.#evict(now);
    const out: LiveSecond[] = [];
    for (const t of this.#dirty) {
      if (t >= now) continue;
      this.#dirty.delete(t);
      const a = this.#secs.get(t);
      if (a !== undefined) out.push(this.#built(a));
    }
    return out.sort((x, y) => x.t - y.t);
  }

  topk(): TopkLists {
    const now = this.nowSec();
    const all = {} as Record<TopkDimension, ReturnType<WindowTopK['top']>>;
    const bypass = {} as Record<TopkDimension, ReturnType<WindowTopK['top']>>;
    TOPK_DIMENSIONS.forEach((d, i) => {
      all[d] = this.#all[i]!.top(this.#k, now);
      bypass[d] = this.#bypass[i]!.top(this.#k, now);
    });
    return { windowSecs: this.topkWindowSecs, all, bypass };
  }

  /** The tail sample gathered since the last call. */
  takeTail(): TailEvent[] {
    const t = this.#tail;
    this.#tail = [];
    this.#tailSeen = 0;
    return t;
  }

  /** ms from the end of the newest second with data to now; null before any data. */
  lagMs(): number | null {
    if (this.#newest === -Infinity) return null;
    return Math.max(0, this.#now() - (this.#newest + 1) * 1000);
  }

  #acc(sec: number): Acc {
    let a = this.#secs.get(sec);
    if (a === undefined) {
      a = newAcc(sec);
      this.#secs.set(sec, a);
      if (sec > this.#newest) this.#newest = sec;
    }
    return a;
  }

  #built(a: Acc): LiveSecond {
    return (a.built ??= buildSecond(a));
  }

  #evict(now: number): void {
    const lo = now - this.retentionSecs + 1;
    for (const t of this.#secs.keys()) {
      if (t < lo) {
        this.#secs.delete(t);
        this.#dirty.delete(t);
      }
    }
  }

  #classify(s: string): StateClass {
    let c = this.#state.get(s);
    if (c === undefined) {
      c = classifyState(s);
      if (this.#state.size < 256) this.#state.set(s, c);
    }
    return c;
  }

  #prefix(ip: string): string {
    let p = this.#prefixes.get(ip);
    if (p === undefined) {
      if (this.#prefixes.size >= 10_000) this.#prefixes.clear();
      p = clientPrefix(ip);
      this.#prefixes.set(ip, p);
    }
    return p;
  }

  #sampleTail(ts: number, fields: Record<string, unknown>): void {
    const n = ++this.#tailSeen;
    if (this.#tail.length < this.#tailMax) this.#tail.push({ ts, fields });
    else {
      const j = Math.floor(Math.random() * n);
      if (j < this.#tailMax) this.#tail[j] = { ts, fields };
    }
  }
}

export { buildSecond as buildLiveSecond };
