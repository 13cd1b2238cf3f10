/**
 * The Fastly-rt-compatible read API: `GET /v1/channel/{service_id}/ts/{ts}` where ts is `0` (the
 * latest complete second), a cursor (seconds after it), `h` (the last 120 s) or `h/limit/{n}`.
 * With no data the request is held (long poll) up to a bounded wait, then answered 200 with
 * `"error":"No data available, please retry"`, as rt.fastly.com does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Secret } from '../core/secret.js';
import { authorizeChannel, sendJson } from './fastly-key.js';
import { getLiveStore } from './registry.js';
import type { LiveStore, SecondBucket } from './rollup.js';
import { NO_DATA_ERROR, hasRtData, toRtEntry, type RtResponse } from './rt-response.js';

/** Same shape as the API server's RouteHandler (src/api/server.ts); declared here so live/ does not import api/. */
export type RtRouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface RtApiOptions {
  /** Accepted `Fastly-Key` values; none (or all empty) = no auth. */
  keys?: readonly Secret[];
  /** Longest hold of a request that finds no data, ms (default 5000). */
  maxWaitMs?: number;
  /** A second is served once this many seconds have passed since it began (default 2); sent as AggregateDelay. */
  aggregateDelaySecs?: number;
  /** Where the rollups come from (default: the shared store of the live sinks). */
  store?: () => LiveStore | undefined;
}

const ROUTE = /^\/v1\/channel\/([^/]+)\/ts\/(h|\d+)(?:\/limit\/(\d+))?\/?$/;
const HISTORY_SECS = 120;
/** How often a held request re-checks (seconds also become complete as the clock moves). */
const RECHECK_MS = 250;

type Query = { sid: string; ts: 'h' | number; limit: number | undefined };

const send = sendJson;

function select(store: LiveStore, q: Query, horizon: number): SecondBucket[] {
  let secs: SecondBucket[];
  if (q.ts === 'h') secs = store.seconds(q.sid, horizon - HISTORY_SECS, horizon).filter(hasRtData);
  else if (q.ts === 0) {
    const all = store.seconds(q.sid, horizon - store.retentionSecs, horizon).filter(hasRtData);
    secs = all.slice(-1);
  } else secs = store.seconds(q.sid, q.ts, horizon).filter(hasRtData);
  return q.limit !== undefined ? secs.slice(-q.limit) : secs;
}

/** Resolves on new data, after `ms`, or when the signal aborts. */
function waitForData(store: LiveStore, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const unsubscribe = store.onData(done);
    signal.addEventListener('abort', done);
  });
}

export function createRtHandler(opts: RtApiOptions = {}): RtRouteHandler {
  const keys = opts.keys ?? [];
  const maxWaitMs = opts.maxWaitMs ?? 5000;
  const delay = opts.aggregateDelaySecs ?? 2;
  const storeOf = opts.store ?? getLiveStore;

  return async (req, res, url) => {
    const m = ROUTE.exec(url.pathname);
    if (m === null) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { msg: 'Method not allowed' });
      return true;
    }
    const sid = authorizeChannel(req, res, keys, m[1]!);
    if (sid === undefined) return true;
    const limit = m[3] !== undefined ? Number(m[3]) : undefined;
    if (limit !== undefined && !(limit > 0 && Number.isSafeInteger(limit))) {
      send(res, 400, { msg: 'Bad request', detail: 'limit must be a positive integer' });
      return true;
    }
    const q: Query = { sid, ts: m[2] === 'h' ? 'h' : Number(m[2]), limit };
    const store = storeOf();
    if (store === undefined) {
      send(res, 404, { msg: 'Not found', detail: 'no live sink is configured' });
      return true;
    }

    const closed = new AbortController();
    res.on('close', () => closed.abort());
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const horizon = store.nowSec() - delay;
      const secs = select(store, q, horizon);
      if (secs.length > 0) {
        const body: RtResponse = { Timestamp: secs[secs.length - 1]!.sec, AggregateDelay: delay, Data: secs.map(toRtEntry) };
        send(res, 200, body);
        return true;
      }
      const left = deadline - Date.now();
      if (left <= 0 || closed.signal.aborted) {
        const ts = typeof q.ts === 'number' && q.ts > 0 ? q.ts : horizon;
        const body: RtResponse = { Timestamp: ts, AggregateDelay: delay, Data: [], error: NO_DATA_ERROR };
        if (!closed.signal.aborted) send(res, 200, body);
        return true;
      }
      await waitForData(store, Math.min(left, RECHECK_MS), closed.signal);
    }
  };
}
