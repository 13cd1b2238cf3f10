/**
 * A hand-built traffic sample for the live rollup tests, plus INDEPENDENT expected counts computed by
 * plain loops over the input (never through src/live).
 */
import { makeLogEvent, type LogEvent } from '../../../src/core/event.js';

/** Start of the first second of the sample (unix seconds). */
export const T0 = 1_700_000_000;

/** Each state used, with its rt class written out by hand (PROTOCOLS.md mapping). */
export const STATE_CLASS: Record<string, 'hit' | 'miss' | 'pass' | 'error' | 'synth'> = {
  HIT: 'hit',
  'HIT-CLUSTER': 'hit',
  'HIT-STALE': 'hit',
  'HIT-SYNTH': 'synth',
  MISS: 'miss',
  'MISS-CLUSTER': 'miss',
  'MISS-REFRESH': 'miss',
  PASS: 'pass',
  HITPASS: 'pass',
  ERROR: 'error',
};
const STATES = Object.keys(STATE_CLASS);
const STATUSES = [200, 200, 206, 304, 404, 503, 500];

export interface Sample {
  events: LogEvent[];
}

/** ~200 edge events over 3 seconds and 2 POPs (some shield hops), 12 origin events, 5 of another service. */
export function buildSample(): LogEvent[] {
  const events: LogEvent[] = [];
  for (let i = 0; i < 200; i++) {
    const sec = T0 + (i % 3);
    const fields: Record<string, unknown> = {
      layer: 'edge',
      host: i % 4 === 0 ? 'dl.k8s.io' : 'cdn.dl.k8s.io',
      pop: (i >> 1) % 2 === 0 ? 'IAD' : 'LHR',
      cache_state: STATES[i % STATES.length],
      status: STATUSES[i % STATUSES.length],
      elapsed_us: (i * 1237) % 50_000,
      client_ip: i % 5 === 0 ? '2001:db8::1' : '192.0.2.7',
      protocol: i % 3 === 0 ? 'HTTP/2' : 'HTTP/1.1',
      tls_version: i % 2 === 0 ? 'TLSv1.3' : 'TLSv1.2',
    };
    if (i % 17 === 0) fields.resp_bytes = 1000 + i;
    else {
      fields.resp_body_bytes = 100 + i;
      fields.resp_bytes = 400 + i;
    }
    if (i % 11 === 0) fields.is_edge = false;
    else if (i % 13 !== 0) fields.is_edge = true; // else absent: counts as edge
    events.push(makeLogEvent('t', `t:${i}`, sec * 1000 + ((i * 37) % 1000), fields, undefined, 100));
  }
  for (let i = 0; i < 12; i++) {
    const sec = T0 + (i % 3);
    events.push(makeLogEvent('o', `o:${i}`, sec * 1000 + 5, { layer: 'origin', host: 'storage.googleapis.com', status: 200, resp_bytes: 5000, via_cdn: i % 3 !== 0 }, undefined, 100));
  }
  for (let i = 0; i < 5; i++) {
    events.push(makeLogEvent('s', `s:${i}`, T0 * 1000 + 10, { layer: 'edge', pop: 'IAD', service_id: 'other', cache_state: 'HIT', status: 200, resp_body_bytes: 1 }, undefined, 100));
  }
  return events;
}

export type Expected = Record<string, number>;

/** Counts for one second (and one POP, or all POPs when pop is undefined) of the default service. */
export function expectedFor(events: LogEvent[], sec: number, pop: string | undefined): { counts: Expected; hitsTime: number; missTime: number; hist: Record<string, number> } {
  const c: Expected = {
    requests: 0, hits: 0, miss: 0, pass: 0, errors: 0, synth: 0,
    status_2xx: 0, status_3xx: 0, status_4xx: 0, status_5xx: 0, status_200: 0, status_206: 0, status_304: 0, status_404: 0, status_503: 0, status_500: 0,
    resp_body_bytes: 0, edge_requests: 0, origin_fetches: 0, shield: 0, http2: 0, ipv6: 0, tls_v12: 0, tls_v13: 0,
  };
  let hitsTime = 0, missTime = 0;
  const hist: Record<string, number> = {};
  for (const e of events) {
    const f = e.fields;
    if (Math.floor(e.timestamp / 1000) !== sec) continue;
    if (f.service_id !== undefined) continue;
    if (f.layer === 'origin') continue;
    if (pop !== undefined && f.pop !== pop) continue;
    if (f.is_edge === false) {
      c.shield! += 1;
      continue;
    }
    c.requests! += 1;
    c.edge_requests! += 1;
    const cls = STATE_CLASS[f.cache_state as string];
    const us = f.elapsed_us as number;
    if (cls === 'hit') {
      c.hits! += 1;
      hitsTime += us / 1e6;
    }
    if (cls === 'miss') {
      c.miss! += 1;
      missTime += us / 1e6;
      const b = String(Math.floor(us / 10_000) * 10);
      hist[b] = (hist[b] ?? 0) + 1;
    }
    if (cls === 'pass') c.pass! += 1;
    if (cls === 'error') c.errors! += 1;
    if (cls === 'synth') c.synth! += 1;
    if (cls === 'miss' || cls === 'pass') c.origin_fetches! += 1;
    const st = f.status as number;
    c[`status_${String(st)[0]}xx`]! += 1;
    if (`status_${st}` in c) c[`status_${st}`]! += 1;
    c.resp_body_bytes! += (f.resp_body_bytes ?? f.resp_bytes) as number;
    if (f.protocol === 'HTTP/2') c.http2! += 1;
    if ((f.client_ip as string).includes(':')) c.ipv6! += 1;
    if (f.tls_version === 'TLSv1.2') c.tls_v12! += 1;
    if (f.tls_version === 'TLSv1.3') c.tls_v13! += 1;
  }
  return { counts: c, hitsTime, missTime, hist };
}
