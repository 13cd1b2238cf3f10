/**
 * `redact`: privacy before the data leaves the POP. Client addresses are truncated to a network
 * prefix (default /24 and /48) or replaced by a keyed hash (HMAC-SHA256 with `client_ip.key`, hex,
 * first 16 characters: stable for joins, not reversible without the key). `drop_query` removes
 * `query` and the `?…` part of `url`; `delete` removes fields. `drop_raw` (default true) clears the
 * original line, which still holds the unredacted values. Metric events pass through untouched.
 */
import { createHmac } from 'node:crypto';
import { inputs, nonEmptyString, secret, z } from '../core/schema.js';
import type { Event, Fields } from '../core/event.js';
import type { TransformDef } from '../core/component.js';
import { formatIPv4, formatIPv6, maskIPv4, maskIPv6, parseIP } from './ip.js';

const clientIpSchema = z
  .strictObject({
    mode: z.enum(['truncate', 'hash', 'none'], { error: 'expected truncate, hash or none' }).default('truncate'),
    ipv4_prefix: z.number().int().min(0).max(32, { error: 'expected 0 to 32' }).default(24),
    ipv6_prefix: z.number().int().min(0).max(128, { error: 'expected 0 to 128' }).default(48),
    key: secret().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'hash' && (c.key === undefined || c.key.isEmpty)) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: 'required when mode is hash (the HMAC secret)' });
    }
  });

export const redactSchema = z.strictObject({
  type: z.literal('redact'),
  inputs: inputs(),
  /** Fields holding client addresses, treated per `client_ip`. */
  fields: z.array(nonEmptyString('a field name')).default(['client_ip']),
  client_ip: clientIpSchema.prefault({}),
  drop_query: z.boolean().default(false),
  delete: z.array(nonEmptyString('a field name')).default([]),
  drop_raw: z.boolean().default(true),
});

export type RedactConfig = z.infer<typeof redactSchema>;

const HASH_CACHE_MAX = 10_000;

export const redact: TransformDef<RedactConfig> = {
  kind: 'transform',
  type: 'redact',
  schema: redactSchema,
  build(config, ctx) {
    const { mode, ipv4_prefix: v4bits, ipv6_prefix: v6bits } = config.client_ip;
    const ipFields = mode === 'none' ? [] : config.fields;
    const del = config.delete;
    const dropQuery = config.drop_query;
    const dropRaw = config.drop_raw;
    const key = config.client_ip.key?.reveal() ?? '';
    // Client addresses repeat a lot: remember recent hashes (bounded) rather than HMAC each event.
    const hashes = new Map<string, string>();
    let invalid = 0;

    const hashIp = (text: string): string => {
      let h = hashes.get(text);
      if (h === undefined) {
        if (hashes.size >= HASH_CACHE_MAX) hashes.clear();
        h = createHmac('sha256', key).update(text).digest('hex').slice(0, 16);
        hashes.set(text, h);
      }
      return h;
    };

    /** Redacts one address field in place; a value that is not an address is removed (fail closed). */
    const redactIp = (f: Fields, name: string): void => {
      const v = f[name];
      if (v === undefined) return;
      const p = typeof v === 'string' ? parseIP(v) : undefined;
      if (mode === 'hash') {
        // Hash the canonical text so that 2001:DB8::1 and 2001:db8::1 hash alike.
        const text = p === undefined ? String(v) : p.v6 === undefined ? formatIPv4(p.v4) : formatIPv6(p.v6);
        f[name] = hashIp(text);
        return;
      }
      if (p === undefined) {
        delete f[name];
        invalid++;
        return;
      }
      f[name] = p.v6 === undefined ? formatIPv4(maskIPv4(p.v4, v4bits)) : formatIPv6(maskIPv6(p.v6, v6bits));
    };

    return {
      mutates: true,
      process(events: Event[]): Event[] {
        invalid = 0;
        for (let i = 0; i < events.length; i++) {
          const ev = events[i]!;
          if (ev.type !== 'log') continue;
          const f = ev.fields;
          for (let k = 0; k < ipFields.length; k++) redactIp(f, ipFields[k]!);
          if (dropQuery) {
            if (f.query !== undefined) delete f.query;
            const url = f.url;
            if (typeof url === 'string') {
              const q = url.indexOf('?');
              if (q >= 0) f.url = url.slice(0, q);
            }
          }
          for (let k = 0; k < del.length; k++) if (f[del[k]!] !== undefined) delete f[del[k]!];
          if (dropRaw) ev.raw = undefined;
        }
        if (invalid > 0) for (let n = 0; n < invalid; n++) ctx.metrics.error('invalid_ip', 'processing');
        return events;
      },
    };
  },
};
