/**
 * Syslog over UDP: one datagram holds one message (or several, newline-separated). There is no
 * acknowledgement and no way to push back: messages wait in a bounded queue (max_pending_events)
 * while downstream is busy, and beyond it are discarded and counted (reason `backpressure`).
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { SourceContext } from '../../core/component.js';
import { errorMessage } from '../../core/errors.js';
import type { LogEvent } from '../../core/event.js';
import type { Format } from '../../formats/types.js';
import { splitAddress } from '../../core/net.js';
import type { SyslogSourceConfig } from './config.js';
import { framesToEvents } from './events.js';
import { Framer, type Frame } from './framing.js';

export class SyslogUdp {
  private socket: Socket | undefined;
  private readonly framer: Framer;
  private readonly frames: Frame[] = [];
  private pending: LogEvent[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private emitting: Promise<void> | undefined;
  private readonly prefix: string;

  constructor(
    private readonly config: SyslogSourceConfig,
    private readonly ctx: SourceContext,
    private readonly format: Format,
    boot: string,
    private readonly count: (reason: string) => void,
  ) {
    this.framer = new Framer('newline', config.max_message_bytes);
    this.prefix = `${ctx.id}:${boot}:udp:`;
  }

  start(): Promise<{ host: string; port: number }> {
    const { host, port } = splitAddress(this.config.address);
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', recvBufferSize: this.config.receive_buffer_bytes });
    this.socket = socket;
    socket.on('message', (msg: Buffer) => this.onMessage(msg));
    socket.on('error', (err) => {
      this.count('socket_error');
      this.ctx.logger.warn({ err: errorMessage(err) }, 'syslog udp socket error');
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve({ host, port: socket.address().port });
      });
    });
  }

  async stop(): Promise<void> {
    this.socket?.close();
    this.socket = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length > 0 || this.emitting) {
      this.flush();
      if (this.emitting) await this.emitting;
    }
  }

  private onMessage(msg: Buffer): void {
    const frames = this.frames;
    this.framer.push(msg, frames);
    this.framer.end(frames);
    if (frames.length === 0) return;
    if (this.pending.length >= this.config.max_pending_events) {
      this.ctx.metrics.discarded(frames.length, 'backpressure');
      frames.length = 0;
      return;
    }
    const bytes = framesToEvents(frames, this.format, this.ctx.id, this.prefix, this.seq, this.ctx.metrics, this.pending);
    this.seq += frames.length;
    this.ctx.metrics.received(frames.length, bytes);
    frames.length = 0;
    if (this.pending.length >= this.config.max_batch_events) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.config.flush_interval_secs * 1000);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.emitting || this.pending.length === 0) return;
    const max = this.config.max_batch_events;
    const batch = this.pending.length <= max ? this.pending : this.pending.slice(0, max);
    this.pending = batch === this.pending ? [] : this.pending.slice(max);
    this.emitting = this.ctx.emit(batch).then(
      () => undefined,
      (err: unknown) => {
        this.ctx.metrics.discarded(batch.length, 'emit_failed');
        this.ctx.logger.warn({ err: errorMessage(err) }, 'syslog udp batch not accepted');
      },
    ).finally(() => {
      this.emitting = undefined;
      if (this.pending.length > 0) this.flush();
    });
  }
}
