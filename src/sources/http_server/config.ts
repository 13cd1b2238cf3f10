/** Config schema of the `http_server` source (README.md in this folder). */
import { z, nonEmptyString, posInt, posNumber, requiredSecret, listenAddress, tlsServer } from '../../core/schema.js';
import { FORMAT_NAMES } from '../../formats/types.js';

const MiB = 1024 * 1024;

/** A custom header carrying a shared value (Fastly's `header_name` / `header_value`). */
const headerAuth = z.strictObject({
  header: nonEmptyString('a header name').transform((h) => h.toLowerCase()),
  value: requiredSecret(),
});

/** `Authorization: Bearer <token>`. */
const bearerAuth = z.strictObject({
  bearer: requiredSecret(),
});

export const httpServerSourceSchema = z
  .strictObject({
    type: z.literal('http_server'),
    address: listenAddress(),
    /** Path that takes POST/PUT batches. */
    path: nonEmptyString('a path').refine((p) => p.startsWith('/'), { error: 'expected a path starting with /' }).default('/'),
    format: z.enum(FORMAT_NAMES, { error: `expected one of ${FORMAT_NAMES.join(', ')}` }).default('auto'),
    /** Body framing: `auto` = a JSON array when the body starts with `[` (Fastly json_format 1), else lines. */
    framing: z.enum(['auto', 'lines', 'json_array'], { error: 'expected auto, lines or json_array' }).default('auto'),
    auth: z.union([headerAuth, bearerAuth], { error: 'expected {header, value} or {bearer}' }).optional(),
    /** Answers to Fastly's ownership challenge: service IDs (hashed on the wire) or `*`. */
    fastly_service_ids: z.array(nonEmptyString('a service id'), { error: 'expected a list of service ids' }).default([]),
    /** Largest request body on the wire (compressed, if gzip): 413 beyond. */
    max_body_bytes: posInt().default(10 * MiB),
    /** Largest body after gunzip (gzip-bomb guard): 413 beyond. */
    max_decompressed_bytes: posInt().default(50 * MiB),
    /** Longer lines are truncated to this many bytes, kept and counted (`line_truncated`). */
    max_line_bytes: posInt().default(102_400),
    /** Largest request head (request line + headers): 431 beyond. */
    max_header_bytes: posInt().min(1024, { error: 'expected at least 1024' }).default(16_384),
    /** Concurrent connections; further ones are closed at once (counted as `connection_limit`). */
    max_connections: posInt().default(256),
    /** Time to receive the request head (slowloris guard): 408 and close. */
    headers_timeout_secs: posNumber().default(10),
    /** Time to receive the whole request, head and body: 408 and close. */
    request_timeout_secs: posNumber().default(60),
    /** Idle keep-alive connections are closed after this long. */
    keep_alive_timeout_secs: posNumber().default(5),
    /** How long a request waits for its batch to be accepted by every sink before answering 503. */
    ack_timeout_secs: posNumber().default(30),
    max_batch_events: posInt().default(1000),
    tls: tlsServer().optional(),
  })
  .refine((c) => c.max_decompressed_bytes >= c.max_body_bytes, {
    error: 'must be at least max_body_bytes',
    path: ['max_decompressed_bytes'],
  })
  .refine((c) => !c.tls?.verify_client || !!c.tls.ca_file, { error: 'required when verify_client is true', path: ['tls', 'ca_file'] })
  .refine((c) => c.headers_timeout_secs <= c.request_timeout_secs, {
    error: 'must not exceed request_timeout_secs',
    path: ['headers_timeout_secs'],
  });

export type HttpServerSourceConfig = z.output<typeof httpServerSourceSchema>;
