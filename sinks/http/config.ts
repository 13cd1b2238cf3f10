/** `http` sink config: common sink keys + uri, method, headers, auth, tls, healthcheck.uri. */
import { z, httpUrl, nonEmptyString, requiredSecret, secret, tlsClient } from '../../src/core/schema.js';
import { sinkSchema } from '../../src/delivery/config.js';

const auth = z.discriminatedUnion(
  'strategy',
  [
    z.strictObject({ strategy: z.literal('bearer'), token: requiredSecret() }),
    z.strictObject({ strategy: z.literal('basic'), user: nonEmptyString('a user name'), password: secret() }),
  ],
  { error: 'expected auth { strategy: bearer, token } or { strategy: basic, user, password }' },
);

export const httpSinkSchema = sinkSchema({
  uri: httpUrl(),
  method: z.enum(['post', 'put'], { error: 'expected post or put' }).default('post'),
  /** Header values are secrets: custom headers are how many receivers authenticate. */
  headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'expected a valid header name' }), secret(), { error: 'expected a map of header names to values' }).default({}),
  auth: auth.optional(),
  tls: tlsClient().optional(),
  /** No-op unless `uri` is set: a GET/HEAD on the ingest URI means nothing to most receivers. */
  healthcheck: z
    .strictObject({ enabled: z.boolean().default(true), uri: httpUrl().optional() })
    .default({ enabled: true }),
}).superRefine((c, ctx) => {
  if (c.auth && Object.keys(c.headers).some((h) => h.toLowerCase() === 'authorization')) {
    ctx.addIssue({ code: 'custom', path: ['headers'], message: 'set either auth or an Authorization header, not both' });
  }
  for (const h of Object.keys(c.headers)) {
    const l = h.toLowerCase();
    if (/[\r\n\0]/.test(c.headers[h]!.reveal())) {
      ctx.addIssue({ code: 'custom', path: ['headers', h], message: 'header values must not contain line breaks' });
    }
    if (l === 'content-encoding' || l === 'content-length') {
      ctx.addIssue({ code: 'custom', path: ['headers', h], message: `${h} is set by the sink (see compression)` });
    }
  }
});

export type HttpSinkConfig = z.infer<typeof httpSinkSchema>;
