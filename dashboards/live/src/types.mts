/**
 * The /live messages the dashboard reads: a mirror of src/live/protocol.ts (docs/live-feed.md).
 * Kept as a copy because the dashboard is a separate browser build (no Node types, DOM lib).
 */
export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];
export type CacheClass = 'hit' | 'miss' | 'pass' | 'error' | 'synth';

export interface LiveSecond {
  t: number;
  requests: number;
  edge: number;
  origin: number;
  originViaCdn: number;
  originBypass: number;
  cdnShare: number | null;
  bytes: number;
  edgeBytes: number;
  originBytes: number;
  status: Record<StatusClass, number>;
  cache: Record<CacheClass, number>;
  hitRatio: number | null;
  originOffload: number | null;
  hosts: Record<string, number>;
  pops: Record<string, number>;
  originFetches: Record<string, Record<string, number>>;
}

export const TOPK_DIMENSIONS = ['path', 'release', 'user_agent', 'client_prefix', 'referer'] as const;
export type TopkDimension = (typeof TOPK_DIMENSIONS)[number];
export interface TopEntry {
  key: string;
  count: number;
  err: number;
}
export interface TopkLists {
  windowSecs: number;
  all: Record<TopkDimension, TopEntry[]>;
  bypass: Record<TopkDimension, TopEntry[]>;
}

export interface LiveFilter {
  host?: string;
  pop?: string;
  layer?: string;
  status_class?: string;
  expr?: string;
}
export const FILTER_KEYS = ['host', 'pop', 'layer', 'status_class', 'expr'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export interface TailEvent {
  ts: number;
  fields: Record<string, unknown>;
}

export type ServerMsg =
  | { type: 'snapshot'; serverTime: number; retentionSecs: number; seconds: LiveSecond[]; topk: TopkLists; filter: LiveFilter | null; paused: boolean; seq: number }
  | { type: 'delta'; serverTime: number; seconds: LiveSecond[]; topk: TopkLists; lagMs: number | null; seq: number }
  | { type: 'dropped'; count: number }
  | { type: 'tail'; events: TailEvent[] }
  | { type: 'error'; message: string };
