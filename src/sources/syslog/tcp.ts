/**
 * Syslog over TCP (optionally TLS): one Framer per connection, frames parsed and emitted per chunk
 * read. While a batch is being handed downstream the socket is paused, so a busy pipeline pushes
 * back on the sender through TCP flow control instead of queueing in memory.
 */
import { createServer as createNet, type Server, type Socket } from 'node:net';
import { createServer as createTls } from 'node:tls';
import type { SourceContext } from '../../core/component.js';
import { errorMessage } from '../../core/errors.js';
import type { LogEvent } from '../../core/event.js';
import type { Format } from '../../formats/types.js';
import { listen, tlsServerOptions } from '../listener.js';
import type { SyslogSourceConfig } from './config.js';
import { framesToEvents } from './events.js';
import { Framer, type Frame } from './framing.js';

export class SyslogTcp {
  private server: Server | undefined;
  readonly sockets = new Set<Socket>();
  private readonly emitting = new Set<Promise<void>>();
  private conns = 0;
  readonly framings = { octet_counting: 0, newline: 0 };

  constructor(
    private readonly config: SyslogSourceConfig,
    private readonly ctx: SourceContext,
    private readonly format: Format,
    private readonly boot: string,
    private readonly count: (reason: string) => void,
  ) {}

  async start(): Promise<{ host: string; port: number }> {
    const c = this.config;
    let server: Server;
    if (c.tls) {
      server = createTls(await tlsServerOptions(c.tls, `sources.${this.ctx.id}`));
      server.on('secureConnection', (s: Socket) => this.onConnection(s));
      server.on('tlsClientError', () => this.count('tls_handshake_failed'));
    } else {
      server = createNet();
      server.on('connection', (s: Socket) => this.onConnection(s));
    }
    server.maxConnections = c.max_connections;
    server.on('drop', () => this.count('connection_limit'));
    this.server = server;
    return listen(server, c.address);
  }

  stop(): Promise<void> {
    this.server?.close();
    return Promise.allSettled([...this.emitting]).then(() => undefined);
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
  }

  private onConnection(socket: Socket): void {
    const c = this.config;
    this.sockets.add(socket);
    const prefix = `${this.ctx.id}:${this.boot}:${++this.conns}:`;
    const framer = new Framer(c.framing, c.max_message_bytes);
    const frames: Frame[] = [];
    let seq = 0;
    let counted = false;
    const deliver = (): void => {
      if (!counted && framer.framing !== undefined) {
        counted = true;
        this.framings[framer.framing]++;
      }
      if (frames.length === 0) return;
      const events: LogEvent[] = [];
      const bytes = framesToEvents(frames, this.format, this.ctx.id, prefix, seq, this.ctx.metrics, events);
      seq += frames.length;
      frames.length = 0;
      this.ctx.metrics.received(events.length, bytes);
      if (events.length === 0) return;
      socket.pause();
      const p = this.emitBatches(events).then(
        () => {
          if (!socket.destroyed) socket.resume();
        },
        (err: unknown) => {
          this.count('emit_failed');
          this.ctx.logger.warn({ err: errorMessage(err) }, 'syslog batch not accepted; closing the connection');
          socket.destroy();
        },
      );
      this.emitting.add(p);
      void p.finally(() => this.emitting.delete(p));
    };
    socket.on('data', (chunk: Buffer) => {
      const ok = framer.push(chunk, frames);
      deliver();
      if (!ok) {
        this.count('invalid_framing');
        this.ctx.logger.debug({ remote: socket.remoteAddress, reason: framer.error }, 'syslog framing broken; closing the connection');
        socket.destroy();
      }
    });
    socket.on('end', () => {
      if (framer.end(frames) === 'incomplete') this.count('incomplete_frame');
      deliver();
      socket.end();
    });
    socket.on('error', () => this.count('connection_error'));
    socket.on('close', () => this.sockets.delete(socket));
    if (c.idle_timeout_secs > 0) {
      socket.setTimeout(c.idle_timeout_secs * 1000, () => {
        this.count('idle_timeout');
        socket.destroy();
      });
    }
  }

  private async emitBatches(events: LogEvent[]): Promise<void> {
    const max = this.config.max_batch_events;
    if (events.length <= max) return this.ctx.emit(events);
    for (let s = 0; s < events.length; s += max) await this.ctx.emit(events.slice(s, s + max));
  }
}
