/**
 * Small zod building blocks shared by every component schema, so that messages read the same
 * everywhere ("expected a positive integer") and secrets become Secret values at load time.
 */
import { z } from 'zod';
import { Secret } from './secret.js';

export { z };

export const posInt = () =>
  z.number({ error: 'expected a positive integer' }).int({ error: 'expected a positive integer' }).positive({ error: 'expected a positive integer' });

export const nonNegInt = () =>
  z.number({ error: 'expected a non-negative integer' }).int({ error: 'expected a non-negative integer' }).min(0, { error: 'expected a non-negative integer' });

export const nonNegNumber = () =>
  z.number({ error: 'expected a non-negative number' }).min(0, { error: 'expected a non-negative number' });

export const posNumber = () =>
  z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' });

export const nonEmptyString = (what = 'a non-empty string') => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });

/** A secret: any string in config, a Secret (redacting itself) in the loaded value. */
export const secret = () => z.string({ error: 'expected a string' }).transform((s) => new Secret(s));

/** A required secret that must not be empty (a token, an API key). */
export const requiredSecret = () =>
  z.string({ error: 'expected a string' }).min(1, { error: 'required (a non-empty secret)' }).transform((s) => new Secret(s));

/** host:port listener address. */
export const listenAddress = () =>
  z.string({ error: 'expected host:port' }).regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, { error: 'expected host:port (e.g. 127.0.0.1:8686)' });

export const httpUrl = () =>
  z.string({ error: 'expected a URL' }).refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, { error: 'expected an http:// or https:// URL' });

/** `inputs: [a, b.output]` — at least one. */
export const inputs = () => z.array(nonEmptyString('a component id'), { error: 'expected a list of component ids' }).min(1, { error: 'expected at least one input' });

export const tlsServer = () =>
  z.strictObject({
    cert_file: nonEmptyString('a file path'),
    key_file: nonEmptyString('a file path'),
    ca_file: z.string().optional(),
    verify_client: z.boolean().default(false),
  });

export const tlsClient = () =>
  z.strictObject({
    verify: z.boolean().default(true),
    ca_file: z.string().optional(),
  });
