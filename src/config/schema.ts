/** The top level of a config file: data_dir, api, and the three component sections. */
import { z, httpUrl, listenAddress, posNumber, secret, tlsServer } from '../core/schema.js';
import { isLoopback } from '../core/net.js';
import { apiLimitsSchema } from '../api/limits.js';

const componentSection = z.record(
  z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'component ids may use letters, digits, _ and - only' }),
  z.looseObject({ type: z.string({ error: 'expected a component type' }) }, { error: 'expected a component (a mapping with a type)' }),
  { error: 'expected a mapping of component id → component' },
);

export const apiSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    address: listenAddress().default('127.0.0.1:8686'),
    /** Empty = no authentication (allowed on loopback only, unless allow_unauthenticated). */
    auth_token: secret().optional(),
    allow_unauthenticated: z.boolean().default(false),
    fastly_api_keys: z.array(secret()).default([]),
    /** Browser origins allowed besides the page's own (CORS on /api, /metrics, /v1/channel; Origin on /live); '*' = any. */
    allowed_origins: z.array(z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, { error: 'expected an origin (https://host[:port]) or *' }), { error: 'expected a list of origins' }).default([]),
    /** HTTPS (and wss:// for /live) on the API listener; verify_client requires client certificates signed by ca_file. */
    tls: tlsServer()
      .refine((t) => !t.verify_client || !!t.ca_file, { error: 'verify_client needs ca_file (the CA that signs client certificates)', path: ['ca_file'] })
      .optional(),
    limits: apiLimitsSchema,
  })
  .superRefine((a, ctx) => {
    // Refuse to expose the API beyond loopback without a token, unless explicitly allowed.
    if (typeof a.address !== 'string') return; // reported by listenAddress
    const host = a.address.slice(0, a.address.lastIndexOf(':')).replace(/^\[|\]$/g, '');
    if (a.enabled && !isLoopback(host) && (!a.auth_token || a.auth_token.isEmpty) && !a.allow_unauthenticated) {
      ctx.addIssue({ code: 'custom', path: ['auth_token'], message: `required when api.address (${a.address}) is not a loopback address; or set api.allow_unauthenticated: true` });
    }
  })
  .prefault({});

/**
 * Self-telemetry over OTLP (src/telemetry/otel.ts): off unless `enabled: true`, or unset and the
 * standard OTEL_EXPORTER_OTLP_*ENDPOINT variables are; OTEL_SDK_DISABLED=true always wins.
 */
export const openTelemetrySelfSchema = z
  .strictObject({
    enabled: z.boolean().optional(),
    /** Base URL (/v1/traces, /v1/metrics appended); default: OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318. */
    endpoint: httpUrl().optional(),
    /** Default: OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf. */
    protocol: z.enum(['http/protobuf', 'http/json'], { error: 'expected http/protobuf or http/json' }).optional(),
    headers: z.record(z.string(), secret()).default({}),
    service_name: z.string().min(1).optional(),
    traces: z.boolean().default(true),
    metrics: z.boolean().default(true),
    export_interval_secs: posNumber().default(60),
  })
  .default({ headers: {}, traces: true, metrics: true, export_interval_secs: 60 });

export const telemetrySchema = z.strictObject({ opentelemetry: openTelemetrySelfSchema }).default({ opentelemetry: { headers: {}, traces: true, metrics: true, export_interval_secs: 60 } });

export const topSchema = z.strictObject({
  telemetry: telemetrySchema,
  data_dir: z.string().min(1).default('./data'),
  api: apiSchema,
  sources: componentSection.default({}),
  transforms: componentSection.default({}),
  sinks: componentSection.default({}),
  shutdown_timeout_secs: z.number().positive().default(30),
});

export type ApiConfig = z.infer<typeof apiSchema>;
export type OpenTelemetrySelfConfig = z.infer<typeof openTelemetrySelfSchema>;
