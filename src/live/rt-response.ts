/**
 * Turns rollup seconds into the Fastly real-time analytics wire shape (PROTOCOLS.md):
 * `{"Timestamp":N,"AggregateDelay":N,"Data":[{"recorded":…,"aggregated":{…},"datacenter":{"IAD":{…}}}]}`.
 */
import type { RtBlock, RtSecond } from './rt-accumulate.js';
import { RT_KEYS, RT_KEY_COUNT } from './rt-keys.js';

export type RtStats = Record<string, number | Record<string, number>>;

export interface RtEntry {
  recorded: number;
  aggregated: RtStats;
  datacenter: Record<string, RtStats>;
}

export interface RtResponse {
  Timestamp: number;
  AggregateDelay: number;
  Data: RtEntry[];
  error?: string;
}

export const NO_DATA_ERROR = 'No data available, please retry';

export function toStats(c: Float64Array, hist: Map<number, number>): RtStats {
  const out: RtStats = {};
  for (let i = 0; i < RT_KEY_COUNT; i++) out[RT_KEYS[i]!] = c[i]!;
  const h: Record<string, number> = {};
  for (const k of [...hist.keys()].sort((a, b) => a - b)) h[String(k)] = hist.get(k)!;
  out.miss_histogram = h;
  return out;
}

/** True when the second holds rt data (edge or shield requests), not only origin-layer events. */
export function hasRtData(b: RtSecond): boolean {
  return b.pops.size > 0 || b.noPop !== undefined;
}

/** One second in the rt wire shape: `aggregated` = every POP block plus the no-POP block. */
export function toRtEntry(b: RtSecond): RtEntry {
  const sum = new Float64Array(RT_KEY_COUNT);
  const hist = new Map<number, number>();
  const datacenter: Record<string, RtStats> = {};
  const add = (blk: RtBlock): void => {
    for (let i = 0; i < RT_KEY_COUNT; i++) sum[i]! += blk.c[i]!;
    for (const [k, v] of blk.hist) hist.set(k, (hist.get(k) ?? 0) + v);
  };
  for (const pop of [...b.pops.keys()].sort()) {
    const blk = b.pops.get(pop)!;
    add(blk);
    datacenter[pop] = toStats(blk.c, blk.hist);
  }
  if (b.noPop !== undefined) add(b.noPop);
  return { recorded: b.sec, aggregated: toStats(sum, hist), datacenter };
}
