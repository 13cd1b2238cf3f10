/**
 * `aws_s3` sink: each batch becomes one object per rendered key prefix, gzip-compressed by default,
 * uploaded with `@aws-sdk/lib-storage` (a single PutObject below 5 MiB, a multipart upload in 5 MiB
 * parts above, at most two parts in flight). The runner releases a batch's finalizers only after
 * send() returns ok, i.e. after every object of the batch is complete in the bucket. Keys are fixed
 * at encode time, so a retried batch overwrites its own objects instead of duplicating them, and
 * objects already uploaded are not sent again.
 */
import { HeadBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ComponentContext } from '../../src/core/component.js';
import type { Event } from '../../src/core/event.js';
import type { Secret } from '../../src/core/secret.js';
import { compress, contentEncodingFor } from '../../src/delivery/compress.js';
import { contentTypeFor, encodeEvents } from '../../src/delivery/encoding.js';
import { OK, type SendResult, type SinkDriver } from '../../src/delivery/types.js';
import type { AwsS3SinkConfig } from './config.js';
import { classifyS3Error } from './errors.js';
import { compileKeyPrefix, groupByPrefix, objectName } from './key.js';

/** Multipart part size: S3's minimum (5 MiB). */
export const PART_SIZE = 5 * 1024 * 1024;
/** Parts uploaded concurrently per object: bounds memory at QUEUE_SIZE × PART_SIZE beyond the body. */
export const QUEUE_SIZE = 2;

export interface S3Object {
  key: string;
  body: Buffer;
  /** Set once the object is complete in the bucket (a retry skips it). */
  done: boolean;
}

export interface S3Payload {
  objects: S3Object[];
  bytes: number;
}

/** The region: config, then AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1. */
export function resolveRegion(config: AwsS3SinkConfig, env: NodeJS.ProcessEnv = process.env): string {
  return config.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
}

export function s3ClientConfig(config: AwsS3SinkConfig): S3ClientConfig {
  const c: S3ClientConfig = {
    region: resolveRegion(config),
    forcePathStyle: config.force_path_style,
    // S3-compatible servers may reject the CRC32 headers newer SDKs add by default.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The delivery runner owns retries and backoff; the SDK's own would multiply them.
    maxAttempts: 1,
  };
  if (config.endpoint) c.endpoint = config.endpoint;
  const a = config.auth;
  if (a) {
    c.credentials = {
      accessKeyId: a.access_key_id.reveal(),
      secretAccessKey: a.secret_access_key.reveal(),
      ...(a.session_token ? { sessionToken: a.session_token.reveal() } : {}),
    };
  }
  return c;
}

function secretsOf(config: AwsS3SinkConfig): Secret[] {
  const a = config.auth;
  if (!a) return [];
  return a.session_token ? [a.access_key_id, a.secret_access_key, a.session_token] : [a.access_key_id, a.secret_access_key];
}

export function buildAwsS3Sink(config: AwsS3SinkConfig, ctx: ComponentContext): SinkDriver<S3Payload> {
  const client = new S3Client(s3ClientConfig(config));
  const bucket = config.bucket;
  const gzip = config.compression === 'gzip';
  const contentType = contentTypeFor(config.encoding.codec);
  const contentEncoding = contentEncodingFor(config.compression);
  const renderPrefix = compileKeyPrefix(config.key_prefix);
  const secrets = secretsOf(config);
  const log = ctx.logger;

  async function upload(obj: S3Object, signal: AbortSignal): Promise<void> {
    const abortController = new AbortController();
    const onAbort = () => abortController.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const up = new Upload({
        client,
        params: {
          Bucket: bucket,
          Key: obj.key,
          Body: obj.body,
          ContentType: contentType,
          ...(contentEncoding ? { ContentEncoding: contentEncoding } : {}),
        },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
        leavePartsOnError: false,
        abortController,
      });
      await up.done();
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  return {
    async encode(events: Event[]): Promise<S3Payload> {
      const now = Date.now();
      const objects: S3Object[] = [];
      let bytes = 0;
      for (const [prefix, group] of groupByPrefix(events, renderPrefix)) {
        const body = await compress(encodeEvents(group, config.encoding.codec, config.encoding), config);
        objects.push({ key: prefix + objectName(now, gzip), body, done: false });
        bytes += body.length;
      }
      return { objects, bytes };
    },
    async send(payload: S3Payload, signal: AbortSignal): Promise<SendResult> {
      for (const obj of payload.objects) {
        if (obj.done) continue;
        try {
          await upload(obj, signal);
        } catch (err) {
          return classifyS3Error(err, `upload of ${obj.key}`, secrets, signal);
        }
        obj.done = true;
        log.debug({ key: obj.key, bytes: obj.body.length }, 'object uploaded');
      }
      return OK;
    },
    payloadBytes: (p) => p.bytes,
    async healthcheck(signal: AbortSignal): Promise<void> {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
      } catch (err) {
        throw new Error(`healthcheck failed: ${classifyS3Error(err, `HeadBucket ${bucket}`, secrets, signal).reason}`);
      }
    },
    async close(): Promise<void> {
      client.destroy();
    },
  };
}
