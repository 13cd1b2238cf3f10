/**
 * `aws_s3` sink config: common sink keys + bucket, region, endpoint, force_path_style, key_prefix,
 * auth, and the object limits max_bytes / timeout_secs (an object spans many batches). Compression defaults to gzip here (archives are read rarely and stored long); encoding is
 * ndjson or raw, the two shapes that concatenate into a valid line-oriented object.
 */
import { z, httpUrl, nonEmptyString, posInt, posNumber, requiredSecret } from '../../src/core/schema.js';
import { sinkSchema } from '../../src/delivery/config.js';

export const awsS3SinkSchema = sinkSchema({
  bucket: z
    .string({ error: 'expected a bucket name' })
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'expected a bucket name (3–63 characters: a-z, 0-9, dot, hyphen)' }),
  /** When unset: AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1. */
  region: nonEmptyString('a region (e.g. eu-west-1)').optional(),
  /** An S3-compatible endpoint (MinIO, versitygw, Ceph, R2…); unset = AWS. */
  endpoint: httpUrl().optional(),
  /** `http://endpoint/bucket/key` instead of `http://bucket.endpoint/key` (most S3-compatible servers). */
  force_path_style: z.boolean().default(false),
  /** strftime specifiers, rendered in UTC from each event's timestamp; usually ends in `/`. */
  key_prefix: z.string({ error: 'expected a key prefix' }).default('date=%F/'),
  /** Static credentials; without them the standard AWS chain (env, profile, SSO, IMDS/ECS role…). */
  auth: z.strictObject({ access_key_id: requiredSecret(), secret_access_key: requiredSecret(), session_token: requiredSecret().optional() }).optional(),
  /** An object closes once this many (compressed) bytes are written to it. */
  max_bytes: posInt().default(100 * 1024 * 1024),
  /** …or this many seconds after it was opened. */
  timeout_secs: posNumber().default(300),
  compression: z.enum(['none', 'gzip'], { error: 'expected none or gzip' }).default('gzip'),
  encoding: z
    .strictObject({
      codec: z.enum(['ndjson', 'raw'], { error: 'expected ndjson or raw' }).default('ndjson'),
      except_fields: z.array(z.string()).optional(),
      only_fields: z.array(z.string()).optional(),
    })
    .default({ codec: 'ndjson' }),
});

export type AwsS3SinkConfig = z.infer<typeof awsS3SinkSchema>;
