/**
 * The wire form of agent → collector rt records (POST /v1/channel/{service_id}/ingest, docs/live.md):
 *
 *   {"records":[{"agent_id":"pod-7-3fa1c2","seq":1714564800123000,"recorded":1714564800,
 *                "aggregated":{…rt keys…},"datacenter":{"IAD":{…rt keys…}}}]}
 *
 * A record is one second of one agent in the rt read API's entry shape (rt-response.ts) plus the
 * agent id and a sequence number that identify it, so a re-sent record is recognised. This file
 * builds records from log events (the `fastly` sink) and parses them back into rt blocks (the
 * ingest endpoint), both through the shared mapping of rt-accumulate.ts.
 */
import type { Event } from '../core/event.js';
import { RT_KEYS, RT_KEY_COUNT } from './rt-keys.js';
import { RtCounter, blockOf, bodyBytes, newBlock, popOf, type RtBlock, type RtSecond } from './rt-accumulate.js';
import { toRtEntry, type RtEntry } from './rt-response.js';

export interface RtRecord extends RtEntry {
  agent_id: string;
  seq: number;
}

export interface RtIngestBody {
  records: RtRecord[];
}

/** Bounds of one ingest body (the collector rejects more with 400). */
export const MAX_RECORDS_PER_BODY = 10_000;
export const MAX_POPS_PER_RECORD = 1_000;
export const MAX_AGENT_ID_CHARS = 256;
export const MAX_POP_CHARS = 64;
const MAX_HIST_BUCKETS = 10_000;

/**
 * Groups the edge-layer log events of a batch into seconds × POPs (origin-layer and metric events
 * are not rt data and are skipped). Returns the seconds in ascending order.
 */
export function rollupSeconds(events: readonly Event[], counter: RtCounter): RtSecond[] {
  const secs = new Map<number, RtSecond>();
  let last: RtSecond | undefined;
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    if (ev.type !== 'log') continue;
    const f = ev.fields;
    if (f.layer === 'origin') continue;
    const sec = Math.floor(ev.timestamp / 1000);
    if (!Number.isFinite(sec)) continue;
    if (last === undefined || last.sec !== sec) {
      last = secs.get(sec);
      if (last === undefined) {
        last = { sec, pops: new Map(), noPop: undefined };
        secs.set(sec, last);
      }
    }
    counter.add(blockOf(last, popOf(f)), f, bodyBytes(f));
  }
  return [...secs.values()].sort((a, b) => a.sec - b.sec);
}

/** One record per second, numbered from `nextSeq` upwards. */
export function toRecords(seconds: readonly RtSecond[], agentId: string, nextSeq: () => number): RtRecord[] {
  return seconds.map((s) => ({ agent_id: agentId, seq: nextSeq(), ...toRtEntry(s) }));
}

// --- parsing (collector side) -------------------------------------------------------------------

/** A validated record, as rt blocks ready for LiveStore.mergeSecond. */
export interface ParsedRecord {
  agentId: string;
  seq: number;
  second: RtSecond;
}

export class RecordError extends Error {}

const KEY_SLOT = new Map<string, number>(RT_KEYS.map((k, i) => [k, i]));

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function count(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RecordError(`${path}: expected a non-negative number`);
  return v;
}

/** rt stats object → block. Known keys must be non-negative numbers; unknown keys are ignored (newer agents). */
function parseStats(v: unknown, path: string): RtBlock {
  if (!isObject(v)) throw new RecordError(`${path}: expected an object of rt counters`);
  const b = newBlock();
  for (const k in v) {
    const slot = KEY_SLOT.get(k);
    if (slot !== undefined) b.c[slot] = count(v[k], `${path}.${k}`);
    else if (k === 'miss_histogram') {
      const h = v[k];
      if (!isObject(h)) throw new RecordError(`${path}.miss_histogram: expected an object of bucket → count`);
      let n = 0;
      for (const bk in h) {
        const lo = Number(bk);
        if (!(Number.isSafeInteger(lo) && lo >= 0 && lo % 10 === 0)) throw new RecordError(`${path}.miss_histogram.${bk}: expected a bucket key that is a multiple of 10 (ms)`);
        if (++n > MAX_HIST_BUCKETS) throw new RecordError(`${path}.miss_histogram: more than ${MAX_HIST_BUCKETS} buckets`);
        const c = count(h[bk], `${path}.miss_histogram.${bk}`);
        if (c > 0) b.hist.set(lo, c);
      }
    }
  }
  return b;
}

/** Floating-point slack when checking aggregated ≥ Σ datacenter (times are float sums). */
function slack(x: number): number {
  return 1e-9 * Math.max(1, Math.abs(x));
}

function parseRecord(v: unknown, path: string): ParsedRecord {
  if (!isObject(v)) throw new RecordError(`${path}: expected an object`);
  const agentId = v.agent_id;
  if (typeof agentId !== 'string' || agentId === '' || agentId.length > MAX_AGENT_ID_CHARS) throw new RecordError(`${path}.agent_id: expected a non-empty string of at most ${MAX_AGENT_ID_CHARS} characters`);
  const seq = v.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw new RecordError(`${path}.seq: expected a non-negative integer`);
  const recorded = v.recorded;
  if (typeof recorded !== 'number' || !Number.isSafeInteger(recorded) || recorded <= 0) throw new RecordError(`${path}.recorded: expected unix seconds (a positive integer)`);
  const pops = new Map<string, RtBlock>();
  if (v.datacenter !== undefined) {
    if (!isObject(v.datacenter)) throw new RecordError(`${path}.datacenter: expected an object of POP → rt counters`);
    for (const pop in v.datacenter) {
      if (pop === '' || pop.length > MAX_POP_CHARS) throw new RecordError(`${path}.datacenter: POP names must be 1..${MAX_POP_CHARS} characters`);
      if (pops.size >= MAX_POPS_PER_RECORD) throw new RecordError(`${path}.datacenter: more than ${MAX_POPS_PER_RECORD} POPs`);
      pops.set(pop, parseStats(v.datacenter[pop], `${path}.datacenter.${pop}`));
    }
  }
  // `aggregated` = Σ datacenter + requests without a POP: the no-POP part is the difference.
  let noPop: RtBlock | undefined;
  if (v.aggregated !== undefined) {
    const agg = parseStats(v.aggregated, `${path}.aggregated`);
    for (const blk of pops.values()) {
      for (let i = 0; i < RT_KEY_COUNT; i++) agg.c[i]! -= blk.c[i]!;
      for (const [k, n] of blk.hist) agg.hist.set(k, (agg.hist.get(k) ?? 0) - n);
    }
    let any = false;
    for (let i = 0; i < RT_KEY_COUNT; i++) {
      const d = agg.c[i]!;
      if (d < -slack(d)) throw new RecordError(`${path}.aggregated.${RT_KEYS[i]}: less than the sum over datacenter`);
      if (d <= slack(d)) agg.c[i] = 0;
      else any = true;
    }
    for (const [k, n] of agg.hist) {
      if (n < 0) throw new RecordError(`${path}.aggregated.miss_histogram.${k}: less than the sum over datacenter`);
      if (n === 0) agg.hist.delete(k);
      else any = true;
    }
    if (any) noPop = agg;
  }
  return { agentId, seq, second: { sec: recorded, pops, noPop } };
}

/** Validates a parsed JSON body; throws RecordError naming the path of the first problem. */
export function parseIngestBody(body: unknown): ParsedRecord[] {
  if (!isObject(body) || !Array.isArray(body.records)) throw new RecordError('expected {"records":[…]}');
  const recs = body.records;
  if (recs.length > MAX_RECORDS_PER_BODY) throw new RecordError(`records: more than ${MAX_RECORDS_PER_BODY} records in one body`);
  const out: ParsedRecord[] = new Array<ParsedRecord>(recs.length);
  for (let i = 0; i < recs.length; i++) out[i] = parseRecord(recs[i], `records[${i}]`);
  return out;
}
