/** The top level of a config file: data_dir, api, and the three component sections. */
import { z, listenAddress, secret, tlsServer } from '../core/schema.js';
import { isLoopback } from '../api/auth.js';
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

export const topSchema = z.strictObject({
  data_dir: z.string().min(1).default('./data'),
  api: apiSchema,
  sources: componentSection.default({}),
  transforms: componentSection.default({}),
  sinks: componentSection.default({}),
  shutdown_timeout_secs: z.number().positive().default(30),
});

export type ApiConfig = z.infer<typeof apiSchema>;
