/**
 * Limits of the API listener against hostile or broken clients, and the counter of what they reject.
 * Node's HTTP server does the parsing-level work (header size, header/request timeouts, connection
 * cap); this file sets it up, answers malformed requests itself (so that each one is counted), and
 * counts the rejections made elsewhere (auth, Origin, WebSocket limits) under one metric:
 * `edgetail_api_rejected_total{reason}`.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import client from 'prom-client';
import { posInt, posNumber, z } from '../core/schema.js';

export const apiLimitsSchema = z
  .strictObject({
    /** Open connections (HTTP and WebSocket together); more are closed at accept. */
    max_connections: posInt().default(1024),
    /** Request line + headers; larger gets 431. */
    max_header_bytes: posInt().default(16 * 1024),
    /** Time for a client to send its complete headers (slowloris); then 408 and close. */
    headers_timeout_secs: posNumber().default(10),
    /** Time for a whole request; then 408 and close. */
    request_timeout_secs: posNumber().default(30),
    /** Idle keep-alive connections are closed after this. */
    keep_alive_timeout_secs: posNumber().default(5),
    /** Largest /live message a client may send (filters are small); larger closes with 1009. */
    ws_max_message_bytes: posInt().default(64 * 1024),
    /** Messages per second a /live client may send; more closes the connection with 1008. */
    ws_max_messages_per_sec: posInt().default(20),
  })
  .prefault({});

export type ApiLimits = z.infer<typeof apiLimitsSchema>;

export type RejectReason =
  | 'bad_request'
  | 'header_too_large'
  | 'timeout'
  | 'too_many_connections'
  | 'tls_handshake'
  | 'unauthorized'
  | 'forbidden'
  | 'forbidden_origin'
  | 'ws_message_too_large'
  | 'ws_rate_limited'
  | 'ws_invalid_frame';

const REASONS: readonly RejectReason[] = ['bad_request', 'header_too_large', 'timeout', 'too_many_connections', 'tls_handshake', 'unauthorized', 'forbidden', 'forbidden_origin', 'ws_message_too_large', 'ws_rate_limited', 'ws_invalid_frame'];

export type CountRejection = (reason: RejectReason) => void;

/** The rejection counter on the instance's registry; every reason starts at 0 so it shows. */
export function rejectionCounter(registry: client.Registry): CountRejection {
  const name = 'edgetail_api_rejected_total';
  const existing = registry.getSingleMetric(name) as client.Counter<'reason'> | undefined;
  const c = existing ?? new client.Counter({ name, help: 'Requests, connections and WebSocket clients of the API listener rejected, by reason.', labelNames: ['reason'], registers: [registry] });
  for (const r of REASONS) c.labels({ reason: r }).inc(0);
  return (reason) => c.labels({ reason }).inc();
}

/** Options for http(s).createServer from the limits. */
export function serverOptions(l: ApiLimits): { maxHeaderSize: number; requestTimeout: number; headersTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number } {
  const headersTimeout = Math.round(l.headers_timeout_secs * 1000);
  // Node requires requestTimeout ≥ headersTimeout (0 = off is not offered).
  const requestTimeout = Math.max(headersTimeout, Math.round(l.request_timeout_secs * 1000));
  return {
    maxHeaderSize: l.max_header_bytes,
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: Math.round(l.keep_alive_timeout_secs * 1000),
    // How often Node checks the two timeouts above (default 30 s would make them 30 s at best).
    connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.round(headersTimeout / 4))),
  };
}

/** Answers a request the HTTP parser rejected (or timed out), counts it, and closes the socket. */
function onClientError(count: CountRejection) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    let status = 400;
    let reason: RejectReason = 'bad_request';
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      status = 431;
      reason = 'header_too_large';
    } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = 408;
      reason = 'timeout';
    } else if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
      socket.destroy(); // the client went away: nothing to answer, nothing hostile to count
      return;
    }
    count(reason);
    if (socket.writable && !(socket as Socket & { _httpMessage?: unknown })._httpMessage) {
      const text = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  };
}

/** Connection cap, malformed-request answers and TLS handshake failures, all counted. */
export function guardServer(server: Server, limits: ApiLimits, count: CountRejection): void {
  server.maxConnections = limits.max_connections;
  server.on('drop', () => count('too_many_connections'));
  server.on('clientError', onClientError(count));
  server.on('tlsClientError', (_err: Error, socket: Socket) => {
    count('tls_handshake');
    socket.destroy();
  });
}
