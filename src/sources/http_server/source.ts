/**
 * The `http_server` source: a Fastly HTTPS log endpoint (and any NDJSON sender). It answers Fastly's
 * ownership challenge, takes POST/PUT batches, and answers 200 only once every sink has the batch
 * (the Finalizer fired 'delivered'); 503/500 otherwise, so the sender retries. Hostile input gets a
 * status (or a closed connection) and is counted by reason; see README.md for the full table.
 */
import { createHash } from 'node:crypto';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { Socket } from 'node:net';
import type { Source, SourceContext } from '../../core/component.js';
import { errorMessage } from '../../core/errors.js';
import type { Format } from '../../formats/types.js';
import { listen, tlsServerOptions } from '../listener.js';
import { CHALLENGE_PATH, challengeBody, makeAuthCheck, type AuthCheck } from './auth.js';
import { decodeBody, readBody } from './body.js';
import type { HttpServerSourceConfig } from './config.js';
import { decodeEvents } from './decode.js';
import { ingest, type IngestOutcome } from './ingest.js';

/** Unread request bodies up to this size are read and discarded so the connection can be kept. */
const DRAIN_MAX_BYTES = 1024 * 1024;

const OUTCOME_STATUS: Record<IngestOutcome, number> = { delivered: 200, dropped: 503, timeout: 503, rejected: 503, errored: 500 };

export class HttpServerSource implements Source {
  private server: Server | undefined;
  private readonly auth: AuthCheck;
  private readonly challenge: string | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Rejections by reason (also counted as edgetail_component_errors_total{error_type=reason}). */
  private readonly rejections: Record<string, number> = {};
  private readonly outcomes: Record<string, number> = {};
  private stopping = false;
  private bound: { host: string; port: number } | undefined;

  constructor(
    private readonly config: HttpServerSourceConfig,
    private readonly ctx: SourceContext,
    private readonly format: Format,
  ) {
    this.auth = makeAuthCheck(config.auth);
    this.challenge = challengeBody(config.fastly_service_ids);
  }

  async start(): Promise<void> {
    const c = this.config;
    const opts: ServerOptions = {
      maxHeaderSize: c.max_header_bytes,
      headersTimeout: c.headers_timeout_secs * 1000,
      requestTimeout: c.request_timeout_secs * 1000,
      keepAliveTimeout: c.keep_alive_timeout_secs * 1000,
      // How often Node checks the two timeouts above (its default, 30 s, would let slow clients linger).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, (c.headers_timeout_secs * 1000) / 2)),
    };
    const server = c.tls
      ? createHttps({ ...opts, ...(await tlsServerOptions(c.tls, `sources.${this.ctx.id}`)) })
      : createHttp(opts);
    server.maxConnections = c.max_connections;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    server.on('drop', () => this.count('connection_limit'));
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.onClientError(err, socket));
    server.on('tlsClientError', () => this.count('tls_handshake_failed'));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const p = this.handle(req, res).catch((err: unknown) => {
        this.count('internal_error');
        this.ctx.logger.error({ err: errorMessage(err) }, 'http_server request failed');
        if (!res.headersSent && !res.destroyed) this.respond(res, 500, 'internal error');
      });
      this.inFlight.add(p);
      void p.finally(() => this.inFlight.delete(p));
    });
    this.server = server;
    this.bound = await listen(server, c.address);
    this.ctx.logger.info({ address: this.bound.host, port: this.bound.port, tls: !!c.tls }, 'http_server listening');
  }

  /** Stops taking connections; requests already received finish (their batches may still deliver). */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.server?.close();
    this.server?.closeIdleConnections();
    // Requests waiting on their acknowledgement finish during the sinks' drain; those still waiting
    // when the source closes get their connection closed (the sender retries).
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, 1000).unref())]);
  }

  describe(): Record<string, unknown> {
    return {
      address: this.bound ? `${this.bound.host}:${this.bound.port}` : this.config.address,
      tls: !!this.config.tls,
      connections: this.sockets.size,
      requests_in_flight: this.inFlight.size,
      responses: { ...this.outcomes },
      rejections: { ...this.rejections },
    };
  }

  private count(reason: string): void {
    this.rejections[reason] = (this.rejections[reason] ?? 0) + 1;
    this.ctx.metrics.error(reason, 'receiving');
  }

  /** Malformed requests, oversized heads and timeouts (slowloris) never reach `request`. */
  private onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    const code = err.code ?? '';
    if (code === 'ECONNRESET' || code === 'EPIPE') {
      this.count('connection_reset');
      socket.destroy();
      return;
    }
    let status = 400;
    let reason = 'invalid_request';
    if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = 408;
      reason = 'request_timeout';
    } else if (code === 'HPE_HEADER_OVERFLOW') {
      status = 431;
      reason = 'header_too_large';
    }
    this.count(reason);
    if (socket.writable && !(socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      const text = `${reason}\n`;
      socket.end(`HTTP/1.1 ${status} ${statusText(status)}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
    }
    socket.destroySoon();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? '';
    if (this.stopping) return this.reject(req, res, 503, 'shutting_down');
    if (path === CHALLENGE_PATH && (method === 'GET' || method === 'HEAD')) {
      if (this.challenge === undefined) return this.reject(req, res, 404, 'not_found');
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(this.challenge) });
      res.end(method === 'HEAD' ? undefined : this.challenge);
      return;
    }
    if (path !== this.config.path) return this.reject(req, res, 404, 'not_found');
    if (method !== 'POST' && method !== 'PUT') {
      res.setHeader('allow', 'POST, PUT');
      return this.reject(req, res, 405, 'method_not_allowed');
    }
    const auth = this.auth(req.headers);
    if (auth === 'missing') {
      if (this.config.auth && 'bearer' in this.config.auth) res.setHeader('www-authenticate', 'Bearer realm="edgetail"');
      return this.reject(req, res, 401, 'unauthorized');
    }
    if (auth === 'wrong') return this.reject(req, res, 403, 'forbidden');
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > this.config.max_body_bytes) return this.reject(req, res, 413, 'body_too_large');

    const read = await readBody(req, this.config.max_body_bytes);
    if (!read.ok) {
      if (read.reason === 'aborted') {
        this.count('client_aborted');
        return;
      }
      return this.reject(req, res, 413, 'body_too_large');
    }
    const decoded = await decodeBody(read.body, req.headers['content-encoding'], this.config.max_decompressed_bytes);
    if (!decoded.ok) {
      const status = decoded.reason === 'bad_encoding' ? 400 : decoded.reason === 'unsupported_encoding' ? 415 : 413;
      return this.reject(req, res, status, decoded.reason);
    }
    await this.accept(decoded.body, read.body.length, res);
  }

  private async accept(body: Buffer, wireBytes: number, res: ServerResponse): Promise<void> {
    // A retried batch (same body) gets the same event_ids, so downstream can drop the duplicates.
    const digest = createHash('sha1').update(body).digest('hex').slice(0, 16);
    const arrival = Date.now();
    const { events, stats } = decodeEvents(body, {
      framing: this.config.framing,
      format: this.format,
      source: this.ctx.id,
      idPrefix: `${this.ctx.id}:${digest}:`,
      arrival,
      maxLineBytes: this.config.max_line_bytes,
    });
    const m = this.ctx.metrics;
    if (stats.invalidUtf8) m.error('invalid_utf8', 'receiving');
    for (let i = 0; i < stats.truncated; i++) m.error('line_truncated', 'receiving');
    for (let i = 0; i < stats.parseFailures; i++) m.error('parse_failed', 'processing');
    m.received(events.length, wireBytes);
    let newest = 0;
    for (let i = 0; i < events.length; i++) if (events[i]!.timestamp > newest) newest = events[i]!.timestamp;
    if (newest > 0) m.lag(Math.max(0, (arrival - newest) / 1000));
    const outcome = events.length === 0 ? 'delivered' : await ingest(this.ctx, events, this.config.max_batch_events, this.config.ack_timeout_secs * 1000);
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
    const status = OUTCOME_STATUS[outcome];
    if (status !== 200) {
      this.count(`batch_${outcome}`);
      if (outcome === 'timeout' || outcome === 'dropped' || outcome === 'rejected') res.setHeader('retry-after', '1');
    }
    if (res.destroyed) return; // the sender went away; it retries on its own
    const text = JSON.stringify(status === 200 ? { ok: true, events: events.length } : { error: `batch ${outcome}`, events: events.length });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /**
   * Answers an error. An unread body up to DRAIN_MAX_BYTES is read and discarded (the connection is
   * kept); a larger or unknown-length one closes the connection instead of reading it.
   */
  private reject(req: IncomingMessage, res: ServerResponse, status: number, reason: string): void {
    this.count(reason);
    if (!req.complete) {
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared === declared && declared <= DRAIN_MAX_BYTES) req.resume();
      else res.setHeader('connection', 'close');
    }
    this.respond(res, status, reason);
  }

  private respond(res: ServerResponse, status: number, reason: string): void {
    const text = JSON.stringify({ error: reason });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }
}

function statusText(status: number): string {
  return status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
}
