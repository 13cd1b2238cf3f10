/**
 * The S3 side of the fan-out bench: the real S3-compatible server of the test services
 * (`scripts/services.sh start s3`, shared with other users: the bench creates its own bucket), and
 * the count of what arrived (every object under the run's prefix is read back, gunzipped and its
 * event ids counted, like the HTTP receivers do).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { scanIds } from './receiver.js';
import type { S3Target } from './config.js';

export interface S3Bench {
  client: S3Client;
  target(prefix: string): S3Target;
  /** Distinct ids and total events under a prefix; the objects are deleted once read. */
  count(prefix: string): Promise<{ unique: number; events: number; objects: number }>;
  /** Deletes the bench's bucket (the server itself is shared: it keeps running). */
  close(): Promise<void>;
}

export async function startS3(root: string): Promise<S3Bench> {
  const out = execFileSync(join(root, 'scripts', 'services.sh'), ['start', 's3'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const env: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  const endpoint = env.S3_ENDPOINT!;
  const accessKeyId = env.AWS_ACCESS_KEY_ID!;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY!;
  const region = env.AWS_REGION ?? 'us-east-1';
  const bucket = `bench-perf-${process.pid}-${Date.now().toString(36)}`;
  const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, requestChecksumCalculation: 'WHEN_REQUIRED' });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    client,
    target: (prefix) => ({ endpoint, bucket, region, accessKeyId, secretAccessKey, prefix }),
    async count(prefix) {
      const ids = new Set<number>();
      let events = 0;
      let objects = 0;
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of page.Contents ?? []) {
          const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
          const raw = Buffer.from(await r.Body!.transformToByteArray());
          const body = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
          events += scanIds(body, (off) => ids.add(off));
          objects++;
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }));
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return { unique: ids.size, events, objects };
    },
    async close() {
      await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => {});
      client.destroy();
    },
  };
}
