/**
 * Remembers which (agent id, sequence) records were merged, so a record re-sent after a lost
 * response is not counted twice. Bounded two ways: at most `maxEntries` (oldest forgotten first),
 * and entries whose second has left the rollup window are dropped (a re-send of such a record
 * would be counted as late, never merged, so remembering it serves nothing).
 */
export class RecordDedupe {
  readonly maxEntries: number;
  /** key → the record's second; Map keeps insertion order, which is roughly time order. */
  readonly #seen = new Map<string, number>();
  /** Entries forgotten because of maxEntries (a re-send of one of those would be merged again). */
  evicted = 0;

  constructor(maxEntries = 500_000) {
    this.maxEntries = maxEntries;
  }

  get size(): number {
    return this.#seen.size;
  }

  /** The identity of a record: service, agent id, sequence. */
  static key(serviceId: string, agentId: string, seq: number): string {
    return `${serviceId}\u0000${agentId}\u0000${seq}`;
  }

  has(key: string): boolean {
    return this.#seen.has(key);
  }

  /** Records `key` as merged; `oldestSec` = the oldest second the rollups still hold. */
  add(key: string, sec: number, oldestSec: number): void {
    this.#seen.set(key, sec);
    for (const [k, s] of this.#seen) {
      if (s >= oldestSec) {
        if (this.#seen.size <= this.maxEntries) break;
        this.evicted++;
      }
      this.#seen.delete(k);
    }
  }
}
