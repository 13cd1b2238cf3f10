/**
 * The dashboard's copy of the feed: seconds by `t` (replaced by `t` on every delta, since late lines
 * re-send a second), the latest top-k lists, a short history of top-k counts for sparklines, and the
 * sampled tail. Pure data, no DOM.
 */
import type { LiveSecond, TailEvent, TopkLists } from './types.mjs';

/** Seconds averaged by the KPI tiles. */
export const KPI_WINDOW_SECS = 10;
/**
 * The newest seconds still receive late lines (origin logs arrive seconds after the edge's), so
 * tiles and charts end this many seconds before the newest second with data: settled numbers
 * rather than a share of demand that jumps at the right edge.
 */
export const SETTLE_SECS = 3;
/** The shortest time axis (seconds) while history is still short. */
const MIN_CHART_SECS = 60;
/** Seconds shown by the time-series panels. */
export const CHART_SECS = 300;
const SPARK_POINTS = 40;
const TAIL_ROWS = 60;

export interface Kpis {
  /** Seconds the averages cover (≤ KPI_WINDOW_SECS). */
  windowSecs: number;
  reqPerSec: number;
  bitsPerSec: number;
  hitRatio: number | null;
  originOffload: number | null;
  cdnShare: number | null;
  bypassPerSec: number;
  errorRatio: number | null;
}

export class Store {
  private readonly seconds = new Map<number, LiveSecond>();
  topk: TopkLists | null = null;
  readonly tail: TailEvent[] = [];
  /** Upper-bound counts of each bypassing key per delta, oldest first ("dim\0key" → counts). */
  private readonly sparks = new Map<string, number[]>();
  lagMs: number | null = null;
  serverTime = 0;

  reset(seconds: LiveSecond[], topk: TopkLists, serverTime: number): void {
    this.seconds.clear();
    this.sparks.clear();
    this.tail.length = 0;
    this.serverTime = serverTime;
    this.apply(seconds, topk);
    this.lagMs = this.newest() === null ? null : serverTime - (this.newest()! + 1) * 1000;
  }

  apply(seconds: LiveSecond[], topk: TopkLists): void {
    for (const s of seconds) this.seconds.set(s.t, s);
    const newest = this.newest();
    if (newest !== null) for (const t of this.seconds.keys()) if (t <= newest - CHART_SECS) this.seconds.delete(t);
    this.topk = topk;
    this.recordSparks(topk);
  }

  addTail(events: TailEvent[]): void {
    for (const e of events) this.tail.unshift(e);
    if (this.tail.length > TAIL_ROWS) this.tail.length = TAIL_ROWS;
  }

  newest(): number | null {
    let m: number | null = null;
    for (const t of this.seconds.keys()) if (m === null || t > m) m = t;
    return m;
  }

  oldest(): number | null {
    let m: number | null = null;
    for (const t of this.seconds.keys()) if (m === null || t < m) m = t;
    return m;
  }

  /** The newest settled second (SETTLE_SECS before the newest; the newest while history is short). */
  settled(): number | null {
    const newest = this.newest();
    const oldest = this.oldest();
    if (newest === null || oldest === null) return null;
    return Math.max(oldest, newest - SETTLE_SECS);
  }

  /** Up to `max` seconds ending at the newest settled one (at least MIN_CHART_SECS), gaps as null. */
  range(max: number): { t: number; s: LiveSecond | null }[] {
    const end = this.settled();
    if (end === null) return [];
    const n = Math.min(max, Math.max(MIN_CHART_SECS, end - this.oldest()! + 1));
    const out: { t: number; s: LiveSecond | null }[] = [];
    for (let t = end - n + 1; t <= end; t++) out.push({ t, s: this.seconds.get(t) ?? null });
    return out;
  }

  kpis(): Kpis | null {
    const newest = this.settled();
    if (newest === null) return null;
    const windowSecs = Math.min(KPI_WINDOW_SECS, newest - this.oldest()! + 1);
    let req = 0, bytes = 0, hit = 0, miss = 0, edgeBytes = 0, hitBytes = 0, bypass = 0, err = 0;
    for (let t = newest - windowSecs + 1; t <= newest; t++) {
      const s = this.seconds.get(t);
      if (!s) continue;
      req += s.requests;
      bytes += s.bytes;
      hit += s.cache.hit;
      miss += s.cache.miss;
      edgeBytes += s.edgeBytes;
      hitBytes += (s.originOffload ?? 0) * s.edgeBytes;
      bypass += s.originBypass;
      err += s.status['5xx'];
    }
    return {
      windowSecs,
      reqPerSec: req / windowSecs,
      bitsPerSec: (bytes * 8) / windowSecs,
      hitRatio: hit + miss > 0 ? hit / (hit + miss) : null,
      originOffload: edgeBytes > 0 ? hitBytes / edgeBytes : null,
      cdnShare: req + bypass > 0 ? req / (req + bypass) : null,
      bypassPerSec: bypass / windowSecs,
      errorRatio: req > 0 ? err / req : null,
    };
  }

  /** Hosts by requests over the chart window, largest first. */
  topHosts(limit: number): string[] {
    const totals = new Map<string, number>();
    for (const s of this.seconds.values()) for (const [h, n] of Object.entries(s.hosts)) totals.set(h, (totals.get(h) ?? 0) + n);
    return [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([h]) => h);
  }

  /** POP × release origin fetches summed over the last `secs` seconds. */
  heatmap(secs: number): { pops: string[]; releases: string[]; cell: (pop: string, rel: string) => number; max: number } {
    const m = new Map<string, Map<string, number>>();
    const relTotals = new Map<string, number>();
    const popTotals = new Map<string, number>();
    for (const { s } of this.range(secs)) {
      if (!s) continue;
      for (const [pop, rels] of Object.entries(s.originFetches)) {
        let row = m.get(pop);
        if (!row) m.set(pop, (row = new Map()));
        for (const [rel, n] of Object.entries(rels)) {
          row.set(rel, (row.get(rel) ?? 0) + n);
          relTotals.set(rel, (relTotals.get(rel) ?? 0) + n);
          popTotals.set(pop, (popTotals.get(pop) ?? 0) + n);
        }
      }
    }
    const byTotal = (t: Map<string, number>, n: number): string[] => [...t.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k]) => k);
    const pops = byTotal(popTotals, 15);
    const releases = byTotal(relTotals, 8).sort(compareReleases);
    let max = 0;
    for (const p of pops) for (const r of releases) max = Math.max(max, m.get(p)?.get(r) ?? 0);
    return { pops, releases, cell: (p, r) => m.get(p)?.get(r) ?? 0, max };
  }

  spark(dim: string, key: string): number[] {
    return this.sparks.get(dim + '\0' + key) ?? [];
  }

  private recordSparks(topk: TopkLists): void {
    const seen = new Set<string>();
    for (const [dim, list] of Object.entries(topk.bypass)) {
      for (const e of list) {
        const k = dim + '\0' + e.key;
        seen.add(k);
        let a = this.sparks.get(k);
        if (!a) this.sparks.set(k, (a = []));
        a.push(e.count);
        if (a.length > SPARK_POINTS) a.shift();
      }
    }
    // Keys that left the lists: record a 0, forget them once their history is all zeros.
    for (const [k, a] of this.sparks) {
      if (seen.has(k)) continue;
      a.push(0);
      if (a.length > SPARK_POINTS) a.shift();
      if (a.every((v) => v === 0)) this.sparks.delete(k);
    }
  }
}

/** v1.9.0 < v1.10.3 < v1.31.4; "(other)" last. */
export function compareReleases(a: string, b: string): number {
  if (a === '(other)') return 1;
  if (b === '(other)') return -1;
  const pa = a.replace(/^v/, '').split(/[.-]/).map(Number);
  const pb = b.replace(/^v/, '').split(/[.-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0, y = pb[i] ?? 0;
    if (Number.isNaN(x) || Number.isNaN(y)) return a.localeCompare(b);
    if (x !== y) return x - y;
  }
  return 0;
}
