/**
 * The `syslog` source: RFC 5424, RFC 3164 and Fastly classic lines over TCP (octet counting or
 * newline framing, optionally TLS) or UDP. Syslog has no acknowledgement, so batches carry no
 * Finalizer: delivery is at most once for what is in memory when the process dies (README.md).
 */
import type { Source, SourceContext } from '../../core/component.js';
import type { Format } from '../../formats/types.js';
import type { SyslogSourceConfig } from './config.js';
import { SyslogTcp } from './tcp.js';
import { SyslogUdp } from './udp.js';

export class SyslogSource implements Source {
  private readonly tcp: SyslogTcp | undefined;
  private readonly udp: SyslogUdp | undefined;
  private readonly rejections: Record<string, number> = {};
  private bound: { host: string; port: number } | undefined;
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly config: SyslogSourceConfig,
    private readonly ctx: SourceContext,
    format: Format,
  ) {
    // Distinguishes event_ids across restarts (connection and datagram counters start over).
    const boot = Date.now().toString(36);
    const count = (reason: string): void => {
      this.rejections[reason] = (this.rejections[reason] ?? 0) + 1;
      ctx.metrics.error(reason, 'receiving');
    };
    if (config.mode === 'udp') this.udp = new SyslogUdp(config, ctx, format, boot, count);
    else this.tcp = new SyslogTcp(config, ctx, format, boot, count);
  }

  async start(): Promise<void> {
    this.bound = await (this.tcp ?? this.udp)!.start();
    this.ctx.logger.info({ address: this.bound.host, port: this.bound.port, mode: this.config.mode, tls: !!this.config.tls }, 'syslog listening');
  }

  stop(): Promise<void> {
    this.stopped ??= (this.tcp ?? this.udp)!.stop();
    return this.stopped;
  }

  async close(): Promise<void> {
    await this.stop();
    this.tcp?.close();
  }

  describe(): Record<string, unknown> {
    return {
      address: this.bound ? `${this.bound.host}:${this.bound.port}` : this.config.address,
      mode: this.config.mode,
      tls: !!this.config.tls,
      ...(this.tcp ? { connections: this.tcp.sockets.size, framing: { ...this.tcp.framings } } : {}),
      rejections: { ...this.rejections },
    };
  }
}
