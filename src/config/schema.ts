/** The top level of a config file: data_dir, api, and the three component sections. */
import { z, listenAddress, secret } from '../core/schema.js';

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
  })
  .default({ enabled: true, address: '127.0.0.1:8686', allow_unauthenticated: false, fastly_api_keys: [] });

export const topSchema = z.strictObject({
  data_dir: z.string().min(1).default('./data'),
  api: apiSchema,
  sources: componentSection.default({}),
  transforms: componentSection.default({}),
  sinks: componentSection.default({}),
  shutdown_timeout_secs: z.number().positive().default(30),
});

export type ApiConfig = z.infer<typeof apiSchema>;
