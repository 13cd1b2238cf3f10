/**
 * The cutover scenario: Kubernetes binary downloads right after they moved behind a CDN. Each call
 * to next() yields one synthetic request, either an edge log record (Fastly) or an origin record
 * (the legacy GCS bucket's usage log). Over the scenario's duration the share of demand that
 * bypasses the CDN (clients still on storage.googleapis.com) falls from ~80% to ~10%, and the
 * edge's cache warms up (MISS share falls, so cache fills from Fastly addresses fall too). After
 * the duration everything stays at the final values. Deterministic for a seed; see docs/demo.md.
 */
import { Prng } from './prng.js';
import {
  BUCKET, BYPASS_AGENTS, BYPASS_BINARIES, EDGE_AGENTS, EDGE_BINARIES, FASTLY_ASN, FASTLY_V4_BLOCKS,
  FASTLY_V6_PREFIX, FILL_HOST, GEOS, MARKERS, MISSING, NODES, ORIGIN_HOST, PROTOCOLS, SERVICE_ID,
  SHIELD_OF, TLS_VERSIONS, type Agent, type CatalogEntry,
} from './catalog.js';

/** Why a record exists; ground truth for tests and docs (not a log field). */
export type RecordKind = 'edge' | 'shield' | 'bypass' | 'fill';

/**
 * One synthetic request with canonical field names (DESIGN.md). Every key is always present (one
 * object shape); fields a layer's log does not carry are '' or 0 and the writers leave them out.
 */
export interface DemoRecord {
  kind: RecordKind;
  layer: 'edge' | 'origin';
  /** Request start, epoch ms. */
  timestamp: number;
  client_ip: string;
  ipv6: boolean;
  geo_country: string;
  geo_region: string;
  asn: number;
  host: string;
  method: string;
  url: string;
  path: string;
  query: string;
  protocol: string;
  tls_version: string;
  status: number;
  cache_state: string;
  req_bytes: number;
  resp_bytes: number;
  resp_body_bytes: number;
  elapsed_us: number;
  pop: string;
  node: string;
  is_edge: boolean;
  user_agent: string;
  referer: string;
  service_id: string;
  request_id: string;
  bucket: string;
  object: string;
  operation: string;
  /** Origin records: true when the request came from a Fastly address (a cache fill). */
  via_cdn: boolean;
}

export interface CutoverOptions {
  seed: number;
  /** Scenario start, epoch ms: the cutover moment. */
  startMs: number;
  /** Length of the migration, seconds (default 600); values stay at their final level afterwards. */
  durationSecs?: number;
}

/** Record kinds as bits, for CutoverScenario.next's `kinds` mask. */
export const KIND_EDGE = 1;
export const KIND_SHIELD = 2;
export const KIND_BYPASS = 4;
export const KIND_FILL = 8;
export const KIND_ALL = 15;
/** Every record of a layer's log. */
export const EDGE_LAYER = KIND_EDGE | KIND_SHIELD;
export const ORIGIN_LAYER = KIND_BYPASS | KIND_FILL;

/** Share of demand bypassing the CDN at the start and at the end of the scenario. */
export const BYPASS_START = 0.8;
export const BYPASS_END = 0.1;
/** Share of edge requests that miss the cache at the start and at the end. */
export const MISS_START = 0.25;
export const MISS_END = 0.04;
/** Shield hops (is_edge false) per edge request. */
const SHIELD_RATIO = 0.06;

const MiB = 1_048_576;

export class CutoverScenario {
  readonly seed: number;
  readonly startMs: number;
  readonly durationMs: number;
  private readonly rng: Prng;
  private seq = 0;

  constructor(opts: CutoverOptions) {
    this.seed = opts.seed;
    this.startMs = opts.startMs;
    this.durationMs = (opts.durationSecs ?? 600) * 1000;
    if (!(this.durationMs > 0)) throw new Error('CutoverScenario: durationSecs must be positive');
    this.rng = new Prng(opts.seed);
  }

  /** Scenario progress in [0, 1] at `nowMs`. */
  progress(nowMs: number): number {
    const p = (nowMs - this.startMs) / this.durationMs;
    return p <= 0 ? 0 : p >= 1 ? 1 : p;
  }

  /** Share of total demand (edge requests + bypassing origin requests) that bypasses the CDN. */
  bypassShare(nowMs: number): number {
    const r = 1 - this.progress(nowMs);
    return BYPASS_END + (BYPASS_START - BYPASS_END) * r * r;
  }

  /** Share of edge requests that are cache misses (the cache warms up over the scenario). */
  missRate(nowMs: number): number {
    const r = 1 - this.progress(nowMs);
    return MISS_END + (MISS_START - MISS_END) * r * r;
  }

  /**
   * The next synthetic request.
   * @param nowMs        scenario time: decides where in the migration we are
   * @param timestampMs  the record's timestamp (default nowMs; the live demo passes wall-clock time
   *                     when it plays the scenario faster than real time)
   * @param kinds        only these kinds (a KIND_* mask; default all): `generate` asks for edge
   *                     records only, without paying for the origin records it would skip
   */
  next(nowMs: number, timestampMs: number = nowMs, kinds: number = KIND_ALL): DemoRecord {
    const rng = this.rng;
    const bypass = this.bypassShare(nowMs);
    const miss = this.missRate(nowMs);
    const onCdn = 1 - bypass;
    // Weights per record: demand splits into bypass vs edge; shield hops and cache fills ride on
    // top of the edge traffic (fills follow the edge MISS rate).
    const wShield = onCdn * SHIELD_RATIO;
    const wFill = onCdn * miss;
    const total = 1 + wShield + wFill;
    this.seq++;
    for (;;) {
      const x = rng.next() * total;
      const kind = x < bypass ? KIND_BYPASS : x < 1 ? KIND_EDGE : x < 1 + wShield ? KIND_SHIELD : KIND_FILL;
      if ((kind & kinds) === 0) continue; // rejection keeps the relative weights of the wanted kinds
      if (kind === KIND_EDGE) return this.edge(timestampMs, miss, false);
      if (kind === KIND_SHIELD) return this.edge(timestampMs, miss, true);
      return this.origin(timestampMs, kind === KIND_FILL);
    }
  }

  /** Records produced so far. */
  get produced(): number {
    return this.seq;
  }

  private pickEntry(binaries: typeof EDGE_BINARIES): CatalogEntry {
    const x = this.rng.next();
    if (x < 0.86) return binaries.pick(this.rng);
    if (x < 0.97) return MARKERS.pick(this.rng);
    return MISSING.pick(this.rng);
  }

  private clientIp(networks: readonly { v4: readonly number[]; v6: string }[]): { ip: string; v6: boolean; asnIndex: number } {
    const rng = this.rng;
    const i = rng.int(networks.length);
    const net = networks[i]!;
    if (rng.chance(0.1)) {
      return { ip: `${net.v6}:${hex16(rng)}:${hex16(rng)}::${hex16(rng)}`, v6: true, asnIndex: i };
    }
    const a = net.v4[rng.int(net.v4.length)]!;
    return { ip: `${a}.${rng.int(256)}.${rng.int(256)}.${rng.range(1, 254)}`, v6: false, asnIndex: i };
  }

  private fastlyIp(): { ip: string; v6: boolean } {
    const rng = this.rng;
    if (rng.chance(0.05)) return { ip: `${FASTLY_V6_PREFIX}:${hex16(rng)}::${hex16(rng)}`, v6: true };
    const block = FASTLY_V4_BLOCKS[rng.next() < 0.7 ? 0 : 1]!;
    return { ip: `${block[0]}.${block[1]}.${rng.int(256)}.${rng.range(1, 254)}`, v6: false };
  }

  private status(entry: CatalogEntry, head: boolean): number {
    if (entry.missing) return 404;
    const x = this.rng.next();
    if (x < 0.003) return x < 0.002 ? 503 : 502;
    if (x < 0.025) return 304;
    if (!head && entry.binary && x < 0.085) return 206;
    return 200;
  }

  /** Body bytes for a status: ranges are 1–16 MiB slices, 304/HEAD/5xx carry (almost) nothing. */
  private bodyBytes(entry: CatalogEntry, status: number, head: boolean): number {
    if (head || status === 304) return 0;
    if (status === 404) return 9; // "Not Found"
    if (status >= 500) return 28;
    if (status === 206) return Math.min(entry.size, this.rng.range(1, 16) * MiB);
    return entry.size;
  }

  private edge(ts: number, miss: number, shieldHop: boolean): DemoRecord {
    const rng = this.rng;
    const geo = GEOS.pick(rng);
    const client = this.clientIp(geo.networks);
    const agent: Agent = EDGE_AGENTS.pick(rng);
    const entry = this.pickEntry(EDGE_BINARIES);
    const head = rng.chance(0.05);
    const status = this.status(entry, head);
    const body = this.bodyBytes(entry, status, head);
    const y = rng.next();
    const cache_state =
      status >= 500 ? 'MISS' : y < miss ? 'MISS' : y < miss + 0.02 ? 'PASS' : y < miss + 0.03 ? 'HIT-STALE' : 'HIT';
    // Transfer time: client bandwidth 10–300 MB/s, plus an origin round trip on a miss or pass.
    const fetchUs = cache_state === 'MISS' || cache_state === 'PASS' ? rng.range(40_000, 400_000) : 0;
    const elapsed = rng.range(300, 3_000) + fetchUs + Math.round(body / rng.range(10, 300));
    const headerBytes = rng.range(230, 720);
    const protocol = PROTOCOLS.pick(rng);
    const pop = shieldHop ? SHIELD_OF[geo.pop]! : geo.pop;
    const nodes = NODES[pop]!;
    const fastly = shieldHop ? this.fastlyIp() : undefined;
    const url = entry.edgePath;
    return {
      kind: shieldHop ? 'shield' : 'edge',
      layer: 'edge',
      timestamp: ts,
      client_ip: fastly ? fastly.ip : client.ip,
      ipv6: fastly ? fastly.v6 : client.v6,
      geo_country: geo.country,
      geo_region: geo.region,
      asn: fastly ? FASTLY_ASN : geo.networks[client.asnIndex]!.asn,
      host: rng.next() < 0.7 ? 'cdn.dl.k8s.io' : 'dl.k8s.io',
      method: head ? 'HEAD' : 'GET',
      url,
      path: url,
      query: '',
      protocol,
      tls_version: protocol === 'HTTP/3' ? 'TLSv1.3' : TLS_VERSIONS.pick(rng),
      status,
      cache_state,
      req_bytes: rng.range(290, 640),
      resp_bytes: body + headerBytes,
      resp_body_bytes: body,
      elapsed_us: elapsed,
      pop,
      node: nodes[rng.int(nodes.length)]!,
      is_edge: !shieldHop,
      user_agent: agent.ua,
      referer: agent.referers[rng.int(agent.referers.length)]!,
      service_id: SERVICE_ID,
      request_id: hex32(rng) + hex32(rng),
      bucket: '',
      object: '',
      operation: '',
      via_cdn: false,
    };
  }

  private origin(ts: number, fill: boolean): DemoRecord {
    const rng = this.rng;
    let ip: string;
    let v6: boolean;
    let agent: Agent;
    if (fill) {
      const f = this.fastlyIp();
      ip = f.ip;
      v6 = f.v6;
      agent = EDGE_AGENTS.pick(rng); // Fastly forwards the client's User-Agent on a miss
    } else {
      const c = this.clientIp(GEOS.pick(rng).networks);
      ip = c.ip;
      v6 = c.v6;
      agent = BYPASS_AGENTS.pick(rng);
    }
    const entry = this.pickEntry(fill ? EDGE_BINARIES : BYPASS_BINARIES);
    const head = !fill && rng.chance(0.04);
    let status = this.status(entry, head);
    // Fastly's segmented caching fetches large objects from origin in 1 MiB ranges.
    if (fill && entry.binary && status === 200 && rng.chance(0.4)) status = 206;
    const body = fill && status === 206 ? MiB : this.bodyBytes(entry, status, head);
    const withQuery = !fill && rng.chance(0.02);
    const query = withQuery ? 'alt=media' : '';
    const url = withQuery ? `${entry.originPath}?${query}` : entry.originPath;
    return {
      kind: fill ? 'fill' : 'bypass',
      layer: 'origin',
      timestamp: ts,
      client_ip: ip,
      ipv6: v6,
      geo_country: '',
      geo_region: '',
      asn: 0,
      host: fill ? FILL_HOST : ORIGIN_HOST,
      method: head ? 'HEAD' : 'GET',
      url,
      path: entry.originPath,
      query,
      protocol: '',
      tls_version: '',
      status,
      cache_state: '',
      req_bytes: 0,
      resp_bytes: body,
      resp_body_bytes: body,
      // GCS serves at 20–120 MB/s after 15–80 ms to first byte.
      elapsed_us: rng.range(15_000, 80_000) + Math.round(body / rng.range(20, 120)),
      pop: '',
      node: '',
      is_edge: false,
      user_agent: agent.ua,
      referer: agent.referers[rng.int(agent.referers.length)]!,
      service_id: '',
      request_id: 'ADPyc' + id64(rng.uint32()) + id64(rng.uint32()) + id64(rng.uint32()),
      bucket: BUCKET,
      object: entry.object,
      operation: head ? 'HEAD_Object' : 'GET_Object',
      via_cdn: fill,
    };
  }
}

/** 1..ffff as lowercase hex without leading zeros (RFC 5952 group form). */
function hex16(rng: Prng): string {
  return (1 + rng.int(0xffff)).toString(16);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(rng: Prng): string {
  const v = rng.uint32();
  return HEX[v >>> 24]! + HEX[(v >>> 16) & 255]! + HEX[(v >>> 8) & 255]! + HEX[v & 255]!;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Five URL-safe characters from 30 bits (GCS request ids look like base64). */
function id64(v: number): string {
  return ID_CHARS[v & 63]! + ID_CHARS[(v >>> 6) & 63]! + ID_CHARS[(v >>> 12) & 63]! + ID_CHARS[(v >>> 18) & 63]! + ID_CHARS[(v >>> 24) & 63]!;
}
