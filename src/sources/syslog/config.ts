/** Config schema of the `syslog` source (README.md in this folder). */
import { z, posInt, posNumber, nonNegNumber, listenAddress, tlsServer } from '../../core/schema.js';
import { FORMAT_NAMES } from '../../formats/types.js';

export const syslogSourceSchema = z
  .strictObject({
    type: z.literal('syslog'),
    address: listenAddress(),
    mode: z.enum(['tcp', 'udp'], { error: 'expected tcp or udp' }).default('tcp'),
    /** fastly_syslog reads RFC 5424, RFC 3164 and Fastly's classic prefix (with an optional token). */
    format: z.enum(FORMAT_NAMES, { error: `expected one of ${FORMAT_NAMES.join(', ')}` }).default('fastly_syslog'),
    /** TCP framing: `auto` decides per connection from its first bytes (digits + space = octet counting). */
    framing: z.enum(['auto', 'octet_counting', 'newline'], { error: 'expected auto, octet_counting or newline' }).default('auto'),
    /** Longer messages are cut to this many bytes, kept and counted (`message_truncated`). */
    max_message_bytes: posInt().min(64, { error: 'expected at least 64' }).default(102_400),
    /** TCP: concurrent connections; further ones are closed at once (counted as `connection_limit`). */
    max_connections: posInt().default(256),
    /** TCP: a connection silent for this long is closed (0 = never). */
    idle_timeout_secs: nonNegNumber().default(600),
    max_batch_events: posInt().default(1000),
    /** UDP: events held while downstream is busy; beyond, datagrams are discarded and counted. */
    max_pending_events: posInt().default(10_000),
    /** UDP: the socket's receive buffer (SO_RCVBUF); the OS default when unset. */
    receive_buffer_bytes: posInt().optional(),
    /** UDP: how long received messages wait to fill a batch. */
    flush_interval_secs: posNumber().default(0.05),
    tls: tlsServer().optional(),
  })
  .refine((c) => !(c.tls && c.mode === 'udp'), { error: 'TLS needs mode: tcp', path: ['tls'] })
  .refine((c) => !c.tls?.verify_client || !!c.tls.ca_file, { error: 'required when verify_client is true', path: ['tls', 'ca_file'] });

export type SyslogSourceConfig = z.output<typeof syslogSourceSchema>;
