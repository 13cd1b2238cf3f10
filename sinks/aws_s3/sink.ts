/**
 * `aws_s3` sink: an object per rendered key prefix stays open across batches and grows by
 * multipart upload (object.ts); it closes at `max_bytes` written, after `timeout_secs`, or when the
 * runner flushes (drain, or a buffer full of batches waiting for their object). send() answers
 * `accepted` once a batch is in its object; the batch settles — and the runner releases its
 * finalizers — only when the object is complete in the bucket. Each batch is compressed on its own
 * (gzip on the thread pool), so a gzip object is a series of gzip members: a valid gzip file that
 * gunzip, zcat, Athena and every zlib read whole.
 */
import { HeadBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { ComponentContext } from '../../src/core/component.js';
import type { Event } from '../../src/core/event.js';
import type { Secret } from '../../src/core/secret.js';
import { compress, contentEncodingFor } from '../../src/delivery/compress.js';
import { contentTypeFor, encodeEvents } from '../../src/delivery/encoding.js';
import { OK, type AcceptedResult, type SendResult, type StreamingSinkDriver } from '../../src/delivery/types.js';
import type { AwsS3SinkConfig } from './config.js';
import { classifyS3Error } from './errors.js';
import { compileKeyPrefix, groupByPrefix, objectName } from './key.js';
import { OpenObject, type ObjectTarget } from './object.js';

export { PART_SIZE } from './object.js';

/** The part of a batch under one key prefix, encoded and compressed. */
export interface S3Group {
  prefix: string;
  body: Buffer;
  /** Set once the object it went into is complete (a retry skips it). */
  done: boolean;
}

export interface S3Payload {
  groups: S3Group[];
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

export function buildAwsS3Sink(config: AwsS3SinkConfig, ctx: ComponentContext): StreamingSinkDriver<S3Payload> & { openObjects(): OpenObject[] } {
  const client = new S3Client(s3ClientConfig(config));
  const bucket = config.bucket;
  const gzip = config.compression === 'gzip';
  const renderPrefix = compileKeyPrefix(config.key_prefix);
  const secrets = secretsOf(config);
  const log = ctx.logger;
  const target: ObjectTarget = {
    client,
    bucket,
    contentType: contentTypeFor(config.encoding.codec),
    contentEncoding: contentEncodingFor(config.compression),
    requestTimeoutMs: config.request.timeout_secs * 1000,
    secrets,
    logger: log,
  };
  const maxBytes = config.max_bytes;
  const maxAgeMs = config.timeout_secs * 1000;
  /** The open object of each rendered prefix. */
  const open = new Map<string, OpenObject>();
  /** Objects closing (last part + completion in progress), so close() can wait for them. */
  const closing = new Set<Promise<void>>();

  function openObject(prefix: string): OpenObject {
    let obj = open.get(prefix);
    if (obj) return obj;
    const now = Date.now();
    obj = new OpenObject(prefix + objectName(now, gzip), now, target);
    open.set(prefix, obj);
    const o = obj;
    o.timer = setTimeout(() => closeObject(prefix, o), maxAgeMs);
    o.timer.unref();
    return obj;
  }

  function closeObject(prefix: string, obj: OpenObject): void {
    if (open.get(prefix) === obj) open.delete(prefix);
    if (obj.timer !== undefined) clearTimeout(obj.timer);
    const p = obj.complete().finally(() => closing.delete(p));
    closing.add(p);
  }

  return {
    serial: true,
    async encode(events: Event[]): Promise<S3Payload> {
      const groups: S3Group[] = [];
      let bytes = 0;
      for (const [prefix, group] of groupByPrefix(events, renderPrefix)) {
        const body = await compress(encodeEvents(group, config.encoding.codec, config.encoding), config);
        groups.push({ prefix, body, done: false });
        bytes += body.length;
      }
      return { groups, bytes };
    },
    async send(payload: S3Payload, signal: AbortSignal): Promise<SendResult | AcceptedResult> {
      const waits: Array<{ group: S3Group; settled: Promise<SendResult> }> = [];
      for (const group of payload.groups) {
        if (group.done) continue;
        const obj = openObject(group.prefix);
        const r = await obj.append(group.body, signal);
        if (r.kind !== 'ok') {
          if (open.get(group.prefix) === obj) open.delete(group.prefix);
          return r;
        }
        waits.push({ group, settled: obj.settled() });
        if (obj.bytes >= maxBytes) closeObject(group.prefix, obj);
      }
      if (waits.length === 0) return OK;
      return { kind: 'accepted', settled: settleAll(waits) };
    },
    flush(): void {
      for (const [prefix, obj] of [...open]) closeObject(prefix, obj);
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
      // The runner drained (or its deadline passed): what is still open was never flushed in time.
      const left = [...open.values()];
      open.clear();
      await Promise.allSettled([...left.map((o) => o.abandon('sink closed before the object was completed')), ...closing]);
      client.destroy();
    },
    openObjects: () => [...open.values()],
  };
}

/** One outcome for the groups of a batch: ok when every object is complete, else the first failure. */
async function settleAll(waits: Array<{ group: S3Group; settled: Promise<SendResult> }>): Promise<SendResult> {
  let failure: SendResult | undefined;
  for (const w of waits) {
    const r = await w.settled;
    if (r.kind === 'ok') w.group.done = true;
    else failure ??= r;
  }
  return failure ?? OK;
}
