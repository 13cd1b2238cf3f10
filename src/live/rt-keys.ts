/**
 * The Fastly real-time analytics metric keys edgetail serves (PROTOCOLS.md), as fixed slots of a
 * Float64Array so a rollup block is one allocation and an increment is an indexed add.
 * Also the log → key mapping helpers: cache-state class and status slot.
 */

export const RT_KEYS = [
  'requests', 'hits', 'miss', 'pass', 'errors', 'synth', 'hits_time', 'miss_time',
  'status_1xx', 'status_2xx', 'status_3xx', 'status_4xx', 'status_5xx',
  'status_200', 'status_204', 'status_206', 'status_301', 'status_302', 'status_304',
  'status_400', 'status_401', 'status_403', 'status_404', 'status_416', 'status_429',
  'status_500', 'status_502', 'status_503', 'status_504',
  'resp_header_bytes', 'resp_body_bytes', 'req_header_bytes', 'req_body_bytes',
  'edge_requests', 'edge_hit_requests', 'edge_miss_requests', 'edge_resp_body_bytes',
  'origin_fetches', 'origin_fetch_resp_body_bytes', 'shield', 'shield_resp_body_bytes',
  'http2', 'http3', 'ipv6', 'tls', 'tls_v12', 'tls_v13',
] as const;

export type RtKey = (typeof RT_KEYS)[number];

/** Slot index of each key. */
export const K = Object.fromEntries(RT_KEYS.map((k, i) => [k, i])) as { readonly [P in RtKey]: number };

export const RT_KEY_COUNT = RT_KEYS.length;

/** Cache-state class. */
export const StateClass = { Other: 0, Hit: 1, Miss: 2, Pass: 3, Error: 4, Synth: 5 } as const;
export type StateClass = (typeof StateClass)[keyof typeof StateClass];

const SUFFIXES = ['-CLUSTER', '-REFRESH'];

/** Classifies a Fastly fastly_info.state: suffixes (-CLUSTER, -REFRESH) do not change the class. */
export function classifyState(state: string): StateClass {
  let s = state.toUpperCase();
  for (let changed = true; changed; ) {
    changed = false;
    for (const suf of SUFFIXES) {
      if (s.endsWith(suf)) {
        s = s.slice(0, -suf.length);
        changed = true;
      }
    }
  }
  if (s === 'HIT-SYNTH') return StateClass.Synth;
  if (s.startsWith('HITPASS')) return StateClass.Pass;
  if (s.startsWith('HIT')) return StateClass.Hit;
  if (s.startsWith('MISS')) return StateClass.Miss;
  if (s.startsWith('PASS')) return StateClass.Pass;
  if (s.startsWith('ERROR')) return StateClass.Error;
  return StateClass.Other;
}

/** Status codes with their own key; index = status code, value = slot or -1. */
export const STATUS_SLOT: Int16Array = (() => {
  const a = new Int16Array(600).fill(-1);
  for (const k of RT_KEYS) {
    const m = /^status_(\d{3})$/.exec(k);
    if (m) a[Number(m[1])] = K[k];
  }
  return a;
})();

/** Slot of status_Nxx for a status in 100..599, else -1. */
export function statusClassSlot(status: number): number {
  if (status < 100 || status > 599) return -1;
  return K.status_1xx + Math.floor(status / 100) - 1;
}
