/** Shared by the s3-* integration tests: the real S3-compatible server and SDK read-back helpers. */
import { randomBytes } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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

export interface Seen {
  method: string;
  path: string;
  at: number;
  faulted: boolean;
}

/** Decides per request: undefined forwards it, a function answers it instead. */
export type FaultRule = (req: IncomingMessage) => ((res: ServerResponse) => void) | undefined;

export interface FaultProxy {
  url: string;
  seen: Seen[];
  rule: FaultRule;
  close(): Promise<void>;
}

/**
 * A pass-through proxy in front of the real S3 server that answers some requests itself (faults)
 * and forwards the rest unchanged (same Host header, so SigV4 signatures still verify upstream).
 */
export async function startProxy(upstream: string): Promise<FaultProxy> {
  const up = new URL(upstream);
  const p: FaultProxy = { url: '', seen: [], rule: () => undefined, close: async () => {} };
  const agent = new Agent({ keepAlive: true });
  const server: Server = createServer((req, res) => {
    const fault = p.rule(req);
    p.seen.push({ method: req.method!, path: req.url!, at: Date.now(), faulted: fault !== undefined });
    if (fault) {
      req.resume();
      req.on('end', () => fault(res));
      return;
    }
    const fwd = request({ agent, host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (ures) => {
      res.writeHead(ures.statusCode!, ures.headers);
      ures.pipe(res);
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  p.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  p.close = () =>
    new Promise<void>((r) => {
      agent.destroy();
      server.closeAllConnections();
      server.close(() => r());
    });
  return p;
}

/** A 503 SlowDown reply with Retry-After. */
export function slowDown(retryAfter: string) {
  return (res: ServerResponse) => {
    const body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
    res.writeHead(503, { 'content-type': 'application/xml', 'retry-after': retryAfter, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
}

