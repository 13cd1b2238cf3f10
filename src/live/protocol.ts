/**
 * The `/live` WebSocket protocol (docs/live-feed.md): message shapes and the parsing of client
 * messages. Every frame is one JSON text message with a `type`.
 */
import type { TopEntry } from './topk.js';

export const CACHE_CLASSES = ['hit', 'miss', 'pass', 'error', 'synth'] as const;
export type CacheClass = (typeof CACHE_CLASSES)[number];
export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

/** One second of rollups (by event time) for one view (unfiltered or one filter). */
export interface LiveSecond {
  /** Unix seconds. */
  t: number;
  /** Edge requests: layer ≠ origin and is_edge not false (shield hops are not counted twice). */
  requests: number;
  edge: number;
  /** Origin log lines; split into via the CDN (cache fills) and bypassing the CDN. */
  origin: number;
  originViaCdn: number;
  originBypass: number;
  /** edge / (edge + originBypass); null without any such request. */
  cdnShare: number | null;
  /** Response body bytes (resp_body_bytes, else resp_bytes) of edge requests and origin lines. */
  bytes: number;
  edgeBytes: number;
  originBytes: number;
  /** Edge requests by status class. */
  status: Record<StatusClass, number>;
  /** Edge requests by cache class. */
  cache: Record<CacheClass, number>;
  /** hit / (hit + miss), as Fastly defines it; null without hits or misses. */
  hitRatio: number | null;
  /** Edge bytes served from cache (hits) / all edge bytes; null without edge bytes. */
  originOffload: number | null;
  /** Requests (edge and origin lines) per host, bounded ("(other)" beyond the bound). */
  hosts: Record<string, number>;
  /** Edge requests per POP, bounded. */
  pops: Record<string, number>;
  /** Origin fetches (edge MISS and PASS) by POP then release: the heatmap. */
  originFetches: Record<string, Record<string, number>>;
}

export const TOPK_DIMENSIONS = ['path', 'release', 'user_agent', 'client_prefix', 'referer'] as const;
export type TopkDimension = (typeof TOPK_DIMENSIONS)[number];

/** Heavy hitters over the last `windowSecs`: all traffic and bypassing origin traffic only. */
export interface TopkLists {
  windowSecs: number;
  all: Record<TopkDimension, TopEntry[]>;
  bypass: Record<TopkDimension, TopEntry[]>;
}

export interface LiveFilter {
  host?: string;
  pop?: string;
  layer?: string;
  /** '2xx' … '5xx' (a digit 1–5 is accepted too). */
  status_class?: string;
  /** A condition (docs/transforms.md "Conditions"), e.g. `client_kind == "ci" && via_cdn == false`. */
  expr?: string;
}

export interface TailEvent {
  /** Event time, epoch ms. */
  ts: number;
  fields: Record<string, unknown>;
}

export interface SnapshotMsg {
  type: 'snapshot';
  serverTime: number;
  retentionSecs: number;
  seconds: LiveSecond[];
  topk: TopkLists;
  filter: LiveFilter | null;
  paused: boolean;
  seq: number;
}

export interface DeltaMsg {
  type: 'delta';
  serverTime: number;
  /** Seconds that are complete (ended) and new or changed since the last delta. */
  seconds: LiveSecond[];
  topk: TopkLists;
  /** serverTime − the end of the newest second with data (ms); null before any data. */
  lagMs: number | null;
  /** Per-view frame counter: consecutive deltas differ by 1 unless frames were dropped. */
  seq: number;
}

export interface DroppedMsg {
  type: 'dropped';
  count: number;
}

export interface TailMsg {
  type: 'tail';
  events: TailEvent[];
}

export interface ErrorMsg {
  type: 'error';
  message: string;
}

export type ServerMsg = SnapshotMsg | DeltaMsg | DroppedMsg | TailMsg | ErrorMsg;

export type ClientMsg = { type: 'filter'; filter: LiveFilter | null } | { type: 'pause' } | { type: 'resume' };

export const FILTER_KEYS = ['host', 'pop', 'layer', 'status_class', 'expr'] as const;

/** Parses a client frame; throws an Error with a message fit for an `error` reply. */
export function parseClientMsg(text: string): ClientMsg {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error('not JSON');
  }
  if (typeof v !== 'object' || v === null) throw new Error('expected an object');
  const o = v as Record<string, unknown>;
  if (o.type === 'pause' || o.type === 'resume') return { type: o.type };
  if (o.type !== 'filter') throw new Error(`unknown message type ${JSON.stringify(o.type)}`);
  return { type: 'filter', filter: normalizeFilter(o.filter) };
}

/** Validates a filter object: known string keys only; empty strings are dropped; {} → null. */
export function normalizeFilter(f: unknown): LiveFilter | null {
  if (f === null || f === undefined) return null;
  if (typeof f !== 'object' || Array.isArray(f)) throw new Error('filter must be an object or null');
  const out: LiveFilter = {};
  for (const [k, val] of Object.entries(f as Record<string, unknown>)) {
    if (!(FILTER_KEYS as readonly string[]).includes(k)) throw new Error(`unknown filter key "${k}"`);
    if (val === undefined || val === null || val === '') continue;
    if (typeof val !== 'string' && !(k === 'status_class' && typeof val === 'number')) throw new Error(`filter.${k} must be a string`);
    out[k as keyof LiveFilter] = String(val);
  }
  if (out.status_class !== undefined && !/^[1-5](xx)?$/i.test(out.status_class)) throw new Error('filter.status_class must be 1xx … 5xx');
  return Object.keys(out).length === 0 ? null : out;
}

/** A canonical key for a filter (same filter → same per-filter view). */
export function filterKey(f: LiveFilter | null): string {
  if (f === null) return '';
  return JSON.stringify(FILTER_KEYS.map((k) => f[k] ?? null));
}
