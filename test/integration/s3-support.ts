/** Shared by the s3-* integration tests: the real S3-compatible server and SDK read-back helpers. */
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client, type _Object } from '@aws-sdk/client-s3';
import { startService } from '../helpers/services.js';
import type { SendResult, StreamingSinkDriver } from '../../src/delivery/types.js';
import type { S3Payload } from '../../sinks/aws_s3/sink.js';

export interface S3Service {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  client: S3Client;
}

export async function startS3(): Promise<S3Service> {
  const env = await startService('s3');
  for (const k of ['S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) {
    if (!env[k]) throw new Error(`scripts/services.sh start s3 printed no ${k}`);
  }
  const s = { endpoint: env.S3_ENDPOINT!, accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY!, region: env.AWS_REGION! };
  return { ...s, client: clientFor(s) };
}

export function clientFor(s: { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string }): S3Client {
  return new S3Client({
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Creates a fresh bucket with a unique name (tests never share one). */
export async function newBucket(s: S3Service, tag: string): Promise<string> {
  const name = `edgetail-${tag}-${randomBytes(4).toString('hex')}`;
  await s.client.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

export async function listObjects(s: S3Service, bucket: string): Promise<_Object[]> {
  const out: _Object[] = [];
  let token: string | undefined;
  do {
    const r = await s.client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    out.push(...(r.Contents ?? []));
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return out;
}

export interface FetchedObject {
  body: Buffer;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  etag: string | undefined;
}

export async function getObject(s: S3Service, bucket: string, key: string): Promise<FetchedObject> {
  const r = await s.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = await r.Body!.transformToByteArray();
  return { body: Buffer.from(bytes), contentType: r.ContentType, contentEncoding: r.ContentEncoding, etag: r.ETag };
}

/**
 * Every line of every object in the bucket whose key starts with `prefix` (gunzipped when the key
 * ends in .gz), keys sorted.
 */
export async function allLines(s: S3Service, bucket: string, prefix = ''): Promise<{ keys: string[]; lines: string[] }> {
  const objs = await listObjects(s, bucket);
  const keys = objs.map((o) => o.Key!).filter((k) => k.startsWith(prefix)).sort();
  const lines: string[] = [];
  for (const key of keys) {
    const o = await getObject(s, bucket, key);
    const text = (key.endsWith('.gz') ? gunzipSync(o.body) : o.body).toString('utf8');
    if (!text.endsWith('\n')) throw new Error(`object ${key} does not end with a newline`);
    lines.push(...text.slice(0, -1).split('\n'));
  }
  return { keys, lines };
}

/** Sends a payload straight to the driver, closes the open objects and returns the batch's outcome. */
export async function sendAndSettle(d: StreamingSinkDriver<S3Payload>, payload: S3Payload, signal: AbortSignal): Promise<SendResult> {
  const r = await d.send(payload, signal);
  if (r.kind !== 'accepted') return r;
  d.flush();
  return r.settled;
}
