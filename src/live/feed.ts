/**
 * The `/live` WebSocket feed (docs/live-feed.md) on the API server's HTTP listener.
 *
 * Views: the unfiltered view always exists; one view per distinct filter exists while a client uses
 * it. Each view filters and aggregates the live sink's batches as they are ingested (one pass per
 * batch per view), and once per second its delta frame is built and serialized ONCE, then written to
 * each of its clients. A client whose `bufferedAmount` is over the bound has frames skipped (counted);
 * when it drains it is sent `{type:'dropped', count}` and a fresh snapshot. Nothing here ever waits
 * on a client, so a slow client cannot slow the pipeline.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
// `ws` and the filter compiler (feed-filter.ts → the expression language) are loaded on the first
// /live upgrade: an agent nobody watches does not pay for them (idle RSS).
import type { WebSocketServer, WebSocket, RawData } from 'ws';
import type { Logger } from '../core/component.js';
import type { Event } from '../core/event.js';
import type { Secret } from '../core/secret.js';
import { presentedToken, safeEqual } from '../api/auth.js';
import { originAllowed } from '../api/cors.js';
import type { CountRejection } from '../api/limits.js';
import { getLiveStore } from './registry.js';
import type { LiveStore } from './rollup.js';
import type { RtSecond } from './rt-accumulate.js';
import { FeedView } from './feed-view.js';
import type { compileFilter as CompileFilter } from './feed-filter.js';
import { filterKey, parseClientMsg, type LiveFilter, type ServerMsg, type SnapshotMsg } from './protocol.js';

export interface LiveFeedOptions {
  /** api.auth_token: when set, the upgrade needs it (?token=, Authorization: Bearer, or subprotocol bearer.<token>). */
  authToken?: Secret | undefined;
  /** Browser Origins allowed besides the page's own host; '*' allows any. Requests without Origin are allowed. */
  allowedOrigins?: readonly string[];
  path?: string;
  /** Frame interval (default 1000 ms). */
  intervalMs?: number;
  /** Ping interval; a client that has not answered the previous ping is terminated (default 15 s). */
  heartbeatMs?: number;
  /** Skip frames for a client whose send buffer holds more than this (default 1 MiB). */
  maxBufferedBytes?: number;
  /** History sent in snapshots and kept per view (default 300 s). */
  retentionSecs?: number;
  /** Distinct filters served at once (default 32). */
  maxFilters?: number;
  logger?: Logger | undefined;
  /** Largest message a client may send (default 64 KiB); larger closes the connection (1009). */
  maxMessageBytes?: number;
  /** Messages per second a client may send (default 20); more closes the connection (1008). */
  maxMessagesPerSec?: number;
  /** Counts rejected upgrades and clients closed for misbehaving (edgetail_api_rejected_total). */
  onReject?: CountRejection;
  /** Where batches come from (default: the process's shared store, looked up every tick). */
  store?: () => LiveStore | undefined;
  now?: () => number;
}

export interface LiveFeedStats {
  clients: number;
  views: number;
  framesSent: number;
  framesDropped: number;
}

export interface LiveFeed {
  stats(): LiveFeedStats;
  close(): Promise<void>;
}

interface ViewEntry {
  key: string;
  view: FeedView;
  clients: Set<Client>;
  seq: number;
}

interface Client {
  ws: WebSocket;
  entry: ViewEntry;
  paused: boolean;
  dropped: number;
  alive: boolean;
  /** Rate limit: the second being counted and the messages received in it. */
  rateSec: number;
  rateCount: number;
}

const PROTOCOL = 'edgetail.v1';
/** WebSocket.OPEN (the readyState constant of the spec and of `ws`). */
const OPEN = 1;
const BEARER = 'bearer.';

function offeredProtocols(req: IncomingMessage): string[] {
  const h = req.headers['sec-websocket-protocol'];
  return typeof h === 'string' ? h.split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
}

function reject(socket: Duplex, status: number, reason: string): void {
  const body = JSON.stringify({ error: reason });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${status === 401 ? 'WWW-Authenticate: Bearer realm="edgetail"\r\n' : ''}\r\n${body}`);
  socket.destroy();
}

export function attachLiveFeed(server: Server, opts: LiveFeedOptions = {}): LiveFeed {
  const path = opts.path ?? '/live';
  const now = opts.now ?? Date.now;
  const maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;
  const maxFilters = opts.maxFilters ?? 32;
  const storeOf = opts.store ?? getLiveStore;
  const logger = opts.logger;
  const token = opts.authToken && !opts.authToken.isEmpty ? opts.authToken.reveal() : undefined;
  const allowed = new Set(opts.allowedOrigins ?? []);
  const maxPerSec = opts.maxMessagesPerSec ?? 20;
  const count: CountRejection = opts.onReject ?? (() => {});
  const viewOpts = { retentionSecs: opts.retentionSecs ?? 300, now };
  const entries = new Map<string, ViewEntry>();
  const root: ViewEntry = { key: filterKey(null), view: new FeedView(viewOpts), clients: new Set(), seq: 0 };
  entries.set(root.key, root);
  const clients = new Set<Client>();
  let framesSent = 0, framesDropped = 0;
  /** Set with the WebSocket server (wssOf): filters only come from clients, so only after it. */
  let compileFilter: typeof CompileFilter | undefined;

  // --- ingestion: every view sees every batch the live sink ingests --------------------------
  let store: LiveStore | undefined;
  let unsubscribe: (() => void) | undefined;
  const onEvents = (events: readonly Event[]): void => {
    for (const e of entries.values()) {
      try {
        e.view.ingest(events);
      } catch (err) {
        logger?.error({ err: err instanceof Error ? err.message : String(err), filter: e.key }, 'live feed: ingest failed');
      }
    }
  };
  // Fleet records (agents' `fastly` sinks → POST …/ingest) are aggregates: only the unfiltered view takes them.
  const onSecond = (rec: RtSecond): void => root.view.mergeRtSecond(rec);
  const follow = (): void => {
    const s = storeOf();
    if (s === store) return;
    unsubscribe?.();
    store = s;
    if (s === undefined) unsubscribe = undefined;
    else {
      const offEvents = s.onEvents(onEvents);
      const offSeconds = s.onSeconds(onSecond);
      unsubscribe = () => {
        offEvents();
        offSeconds();
      };
    }
  };
  follow();

  // --- frames ------------------------------------------------------------------------------
  const snapshot = (c: Client): SnapshotMsg => {
    const e = c.entry;
    return { type: 'snapshot', serverTime: now(), retentionSecs: e.view.retentionSecs, seconds: e.view.snapshotSeconds(), topk: e.view.topk(), filter: e.view.filter, paused: c.paused, seq: e.seq };
  };
  const sendNow = (c: Client, msg: ServerMsg | string): void => {
    if (c.ws.readyState !== OPEN) return;
    c.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
    framesSent++;
  };
  /** Sends unless the client is backed up; a client that drains is told what it missed and resynced. */
  const deliver = (c: Client, frame: string): void => {
    if (c.ws.readyState !== OPEN) return;
    if (c.ws.bufferedAmount > maxBuffered) {
      c.dropped++;
      framesDropped++;
      return;
    }
    if (c.dropped > 0) {
      sendNow(c, { type: 'dropped', count: c.dropped });
      c.dropped = 0;
      sendNow(c, snapshot(c));
      return; // the snapshot supersedes this frame
    }
    sendNow(c, frame);
  };

  const tick = (): void => {
    follow();
    for (const e of entries.values()) {
      const seconds = e.view.takeDelta();
      const tail = e.view.takeTail();
      let active = 0;
      for (const c of e.clients) if (!c.paused) active++;
      if (active === 0) continue;
      e.seq++;
      const delta = JSON.stringify({ type: 'delta', serverTime: now(), seconds, topk: e.view.topk(), lagMs: e.view.lagMs(), seq: e.seq } satisfies ServerMsg);
      const tailFrame = tail.length > 0 ? JSON.stringify({ type: 'tail', events: tail } satisfies ServerMsg) : undefined;
      for (const c of e.clients) {
        if (c.paused) continue;
        deliver(c, delta);
        if (tailFrame !== undefined && c.dropped === 0) deliver(c, tailFrame);
      }
    }
  };
  const timer = setInterval(tick, opts.intervalMs ?? 1000);
  timer.unref();
  const heartbeat = setInterval(() => {
    for (const c of clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, opts.heartbeatMs ?? 15_000);
  heartbeat.unref();

  // --- clients -----------------------------------------------------------------------------
  const leave = (c: Client): void => {
    const e = c.entry;
    e.clients.delete(c);
    if (e !== root && e.clients.size === 0) entries.delete(e.key);
  };
  const setFilter = (c: Client, filter: LiveFilter | null): void => {
    const key = filterKey(filter);
    let e = entries.get(key);
    if (e === undefined) {
      if (entries.size > maxFilters) throw new Error(`too many distinct filters in use (max ${maxFilters})`);
      if (compileFilter === undefined) throw new Error('the filter compiler is not loaded'); // loaded before any client connects
      const predicate = compileFilter(filter);
      e = { key, view: new FeedView({ ...viewOpts, filter, predicate }), clients: new Set(), seq: 0 };
      entries.set(key, e);
    }
    if (e !== c.entry) {
      leave(c);
      c.entry = e;
      e.clients.add(c);
    }
  };
  const onMessage = (c: Client, data: RawData, isBinary: boolean): void => {
    const sec = Math.floor(Date.now() / 1000);
    if (sec !== c.rateSec) {
      c.rateSec = sec;
      c.rateCount = 0;
    }
    if (++c.rateCount > maxPerSec) {
      // A flood of messages costs filter compiles and snapshots: close rather than queue.
      if (c.rateCount === maxPerSec + 1) {
        count('ws_rate_limited');
        c.ws.close(1008, 'too many messages');
      }
      return;
    }
    try {
      if (isBinary) throw new Error('binary frames are not supported');
      const msg = parseClientMsg(data.toString());
      if (msg.type === 'pause') {
        c.paused = true;
        return;
      }
      if (msg.type === 'resume') {
        if (!c.paused) return;
        c.paused = false;
      } else setFilter(c, msg.filter);
      // A backed-up client gets its snapshot when it drains (deliver), like any other frame.
      if (c.ws.bufferedAmount > maxBuffered || c.dropped > 0) {
        c.dropped++;
        framesDropped++;
      } else sendNow(c, snapshot(c));
    } catch (err) {
      sendNow(c, { type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  };

  let wssLoading: Promise<WebSocketServer> | undefined;
  const wssOf = (): Promise<WebSocketServer> =>
    (wssLoading ??= Promise.all([import('ws'), import('./feed-filter.js')]).then(([{ WebSocketServer: Server }, filters]) => {
      compileFilter = filters.compileFilter;
      const wss = new Server({
        noServer: true,
        maxPayload: opts.maxMessageBytes ?? 64 * 1024,
        handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : ([...protocols].find((p) => p.startsWith(BEARER)) ?? false)),
      });
      wss.on('connection', onConnection);
      return wss;
    }));
  const onConnection = (ws: WebSocket): void => {
    const c: Client = { ws, entry: root, paused: false, dropped: 0, alive: true, rateSec: 0, rateCount: 0 };
    clients.add(c);
    root.clients.add(c);
    ws.on('pong', () => (c.alive = true));
    ws.on('message', (data, isBinary) => onMessage(c, data, isBinary));
    // ws reports protocol violations here (and closes with 1002/1009): count, then drop the client.
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') count('ws_message_too_large');
      else if (err.code?.startsWith('WS_ERR_')) count('ws_invalid_frame'); // not a reset socket: a client gone is no offence
      ws.terminate();
    });
    ws.on('close', () => {
      clients.delete(c);
      leave(c);
    });
    sendNow(c, snapshot(c));
  };

  const authorized = (req: IncomingMessage, url: URL): boolean => {
    if (token === undefined) return true;
    const t = presentedToken(req, url) ?? offeredProtocols(req).find((p) => p.startsWith(BEARER))?.slice(BEARER.length);
    return t !== undefined && safeEqual(t, token);
  };
  const originOk = (req: IncomingMessage): boolean => originAllowed(req, allowed);
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) {
      if (server.listenerCount('upgrade') === 1) reject(socket, 404, 'Not Found');
      return;
    }
    if (!authorized(req, url)) {
      count('unauthorized');
      return reject(socket, 401, 'Unauthorized');
    }
    if (!originOk(req)) {
      count('forbidden_origin');
      return reject(socket, 403, 'Forbidden');
    }
    wssOf().then(
      (wss) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)),
      (err: unknown) => {
        logger?.error({ err: err instanceof Error ? err.message : String(err) }, 'live feed: could not load the WebSocket library');
        socket.destroy();
      },
    );
  };
  server.on('upgrade', onUpgrade);

  return {
    stats: () => ({ clients: clients.size, views: entries.size, framesSent, framesDropped }),
    async close() {
      clearInterval(timer);
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      unsubscribe?.();
      for (const c of clients) c.ws.terminate();
      if (wssLoading !== undefined) {
        const wss = await wssLoading.catch(() => undefined);
        if (wss !== undefined) await new Promise<void>((resolve) => wss.close(() => resolve()));
      }
    },
  };
}
