/**
 * Bounded heavy hitters for the live feed: Space-Saving (Metwally et al.) sketches, one per second,
 * merged over a sliding window when a frame is built (once per second per view, never per client).
 *
 * A sketch holds at most `capacity` keys. A new key arriving when the sketch is full replaces the
 * key with the smallest count m and starts at m + w with error m: every estimate is an upper bound,
 * `count − err ≤ true ≤ count`, and any key whose true count exceeds N / capacity is present.
 *
 * Merging per-second sketches (the "mergeable summaries" rule): a key's upper bound is the sum of
 * its counts where present plus, for every FULL sketch it is absent from, that sketch's minimum
 * (it could have been evicted there with at most that many); its lower bound is the sum of
 * (count − err) where present. `err` of a merged entry = upper − lower.
 */

export interface TopEntry {
  key: string;
  /** Estimated count (an upper bound on the true count within the window). */
  count: number;
  /** Maximum overestimation: the true count is in [count − err, count]. */
  err: number;
}

interface Cell {
  count: number;
  err: number;
}

export class SpaceSaving {
  readonly capacity: number;
  readonly #cells = new Map<string, Cell>();
  /** Total weight added (N). */
  total = 0;

  constructor(capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be ≥ 1');
    this.capacity = capacity;
  }

  get size(): number {
    return this.#cells.size;
  }

  get full(): boolean {
    return this.#cells.size >= this.capacity;
  }

  add(key: string, w = 1): void {
    this.total += w;
    const c = this.#cells.get(key);
    if (c !== undefined) {
      c.count += w;
      return;
    }
    if (this.#cells.size < this.capacity) {
      this.#cells.set(key, { count: w, err: 0 });
      return;
    }
    // Evict the minimum (a linear scan over ≤ capacity cells; sketches are small).
    let minKey = '';
    let min: Cell | undefined;
    for (const [k, v] of this.#cells) {
      if (min === undefined || v.count < min.count) {
        min = v;
        minKey = k;
      }
    }
    this.#cells.delete(minKey);
    this.#cells.set(key, { count: min!.count + w, err: min!.count });
  }

  /** Smallest count held (0 when not full: an absent key then truly has count 0). */
  minCount(): number {
    if (!this.full) return 0;
    let m = Infinity;
    for (const c of this.#cells.values()) if (c.count < m) m = c.count;
    return m;
  }

  entries(): IterableIterator<[string, Readonly<Cell>]> {
    return this.#cells.entries();
  }

  get(key: string): Readonly<Cell> | undefined {
    return this.#cells.get(key);
  }

  /** The k largest estimates, by count desc then key asc. */
  top(k: number): TopEntry[] {
    const out: TopEntry[] = [];
    for (const [key, c] of this.#cells) out.push({ key, count: c.count, err: c.err });
    return sortTop(out).slice(0, k);
  }
}

function sortTop(a: TopEntry[]): TopEntry[] {
  return a.sort((x, y) => y.count - x.count || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

/** Merges sketches into the k largest entries with bounds as described at the top of this file. */
export function mergeTop(sketches: readonly SpaceSaving[], k: number): TopEntry[] {
  const upper = new Map<string, number>();
  const lower = new Map<string, number>();
  const mins: number[] = [];
  let minSum = 0;
  for (const s of sketches) {
    const m = s.minCount();
    mins.push(m);
    minSum += m;
  }
  // Upper bound starts as Σ mins (absent everywhere), then present sketches swap their min for the count.
  for (let i = 0; i < sketches.length; i++) {
    const s = sketches[i]!;
    const m = mins[i]!;
    for (const [key, c] of s.entries()) {
      upper.set(key, (upper.get(key) ?? minSum) - m + c.count);
      lower.set(key, (lower.get(key) ?? 0) + c.count - c.err);
    }
  }
  const out: TopEntry[] = [];
  for (const [key, u] of upper) out.push({ key, count: u, err: u - lower.get(key)! });
  return sortTop(out).slice(0, k);
}

/**
 * Sliding-window top-k: one Space-Saving sketch per second for the last `windowSecs` seconds
 * (by event time), merged on read. Memory ≤ windowSecs × capacity cells.
 */
export class WindowTopK {
  readonly windowSecs: number;
  readonly capacity: number;
  readonly #secs = new Map<number, SpaceSaving>();
  #newest = -Infinity;

  constructor(windowSecs = 60, capacity = 200) {
    this.windowSecs = windowSecs;
    this.capacity = capacity;
  }

  /** The sketch for `sec`, or undefined when the second is already outside the window. */
  sketch(sec: number): SpaceSaving | undefined {
    let s = this.#secs.get(sec);
    if (s !== undefined) return s;
    if (sec <= this.#newest - this.windowSecs) return undefined;
    s = new SpaceSaving(this.capacity);
    this.#secs.set(sec, s);
    if (sec > this.#newest) {
      this.#newest = sec;
      this.#evict(sec);
    }
    return s;
  }

  add(sec: number, key: string, w = 1): void {
    this.sketch(sec)?.add(key, w);
  }

  /** Top k over the window ending at `nowSec` (inclusive). */
  top(k: number, nowSec: number): TopEntry[] {
    this.#evict(Math.max(nowSec, this.#newest));
    return mergeTop([...this.#secs.values()], k);
  }

  #evict(newest: number): void {
    for (const sec of this.#secs.keys()) if (sec <= newest - this.windowSecs) this.#secs.delete(sec);
  }
}

/**
 * The client network of an address: a.b.c.0/24 for IPv4, the first 48 bits for IPv6. Values that are
 * not addresses (already redacted or anonymised) are returned as they are.
 */
export function clientPrefix(ip: string): string {
  if (ip.includes(':')) {
    const zone = ip.indexOf('%');
    const s = zone >= 0 ? ip.slice(0, zone) : ip;
    const m = /^([0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){1,7})$/.exec(s);
    if (m === null) return ip;
    const dbl = s.indexOf('::');
    let groups: string[];
    if (dbl >= 0) {
      const head = s.slice(0, dbl) === '' ? [] : s.slice(0, dbl).split(':');
      const tail = s.slice(dbl + 2) === '' ? [] : s.slice(dbl + 2).split(':');
      if (head.length + tail.length > 7) return ip;
      groups = [...head, ...new Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
    } else {
      groups = s.split(':');
      if (groups.length !== 8) return ip;
    }
    const g = groups.slice(0, 3).map((x) => (parseInt(x === '' ? '0' : x, 16)).toString(16));
    return `${g.join(':')}::/48`;
  }
  const dot = ip.lastIndexOf('.');
  if (dot > 0 && /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip)) return `${ip.slice(0, dot)}.0/24`;
  return ip;
}
