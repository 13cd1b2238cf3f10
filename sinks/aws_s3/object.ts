/**
 * One open S3 object that grows across batches. Appended bodies (whole gzip members, or plain
 * bytes) collect in memory until they reach PART_SIZE, then go out as one multipart part: at most
 * one part per open object is held. complete() sends the last part and CompleteMultipartUpload (or
 * a single PutObject when the object never reached a part), and only then settles the batches
 * written into it. Any failure aborts the multipart upload and settles every batch of the object
 * with that failure (the runner sends them again: at-least-once).
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Logger } from '../../src/core/component.js';
import type { Secret } from '../../src/core/secret.js';
import { OK, type SendResult } from '../../src/delivery/types.js';
import { classifyS3Error } from './errors.js';

/** Multipart part size: S3's minimum (5 MiB) for every part but the last. */
export const PART_SIZE = 5 * 1024 * 1024;

export interface ObjectTarget {
  client: S3Client;
  bucket: string;
  contentType: string;
  contentEncoding: string | undefined;
  /** Bounds CompleteMultipartUpload / PutObject / AbortMultipartUpload requests. */
  requestTimeoutMs: number;
  secrets: readonly Secret[];
  logger: Logger;
}

type Failure = Exclude<SendResult, { kind: 'ok' }>;

export class OpenObject {
  /** Bytes written to the object so far (compressed), uploaded or pending. */
  bytes = 0;
  parts = 0;
  state: 'open' | 'closing' | 'done' | 'failed' = 'open';
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private uploadId: string | undefined;
  private readonly completed: CompletedPart[] = [];
  private readonly settlers: Array<(r: SendResult) => void> = [];
  /** Operations on the object run one at a time, in order. */
  private tail: Promise<unknown> = Promise.resolve();
  private outcome: SendResult | undefined;
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly key: string,
    readonly openedAt: number,
    private readonly t: ObjectTarget,
  ) {}

  /** Bytes held in memory (the part being built). */
  get buffered(): number {
    return this.pendingBytes;
  }

  /**
   * Adds a body; uploads a part once PART_SIZE is pending. Resolves ok when the body is in the
   * object (not yet durable: see settled()), or with the failure that ended the object.
   */
  append(body: Buffer, signal: AbortSignal): Promise<SendResult> {
    return this.serial(async () => {
      if (this.state !== 'open') return this.outcome && this.outcome.kind !== 'ok' ? this.outcome : { kind: 'retryable', reason: `S3 object ${this.key} is already closed` };
      this.pending.push(body);
      this.pendingBytes += body.length;
      this.bytes += body.length;
      // Full parts go out at once; the remainder (< PART_SIZE) waits for more batches.
      while (this.pendingBytes >= PART_SIZE) {
        const r = await this.uploadPart(signal, PART_SIZE);
        if (r.kind !== 'ok') {
          await this.fail(r);
          return r;
        }
      }
      return OK;
    });
  }

  /** The outcome of the object, for a batch appended to it. */
  settled(): Promise<SendResult> {
    if (this.outcome) return Promise.resolve(this.outcome);
    return new Promise<SendResult>((resolve) => this.settlers.push(resolve));
  }

  /** Uploads what is pending as the last part and completes the object; settles its batches. */
  complete(): Promise<void> {
    if (this.state !== 'open') return this.tail.then(() => undefined);
    this.state = 'closing';
    return this.serial(async () => {
      if (this.outcome) return; // failed meanwhile
      const signal = AbortSignal.timeout(this.t.requestTimeoutMs);
      let r: SendResult;
      if (this.bytes === 0) r = OK;
      else if (this.uploadId === undefined) r = await this.putWhole(signal);
      else {
        r = this.pendingBytes > 0 ? await this.uploadPart(signal) : OK;
        if (r.kind === 'ok') r = await this.completeUpload(signal);
      }
      if (r.kind !== 'ok') return this.fail(r);
      this.state = 'done';
      this.t.logger.debug({ key: this.key, bytes: this.bytes, parts: this.parts }, 'object complete');
      this.settle(OK);
    });
  }

  /** Gives up on the object (drain deadline passed): aborts the upload, settles nothing as ok. */
  abandon(reason: string): Promise<void> {
    return this.fail({ kind: 'retryable', reason });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.tail.then(fn);
    this.tail = p.catch(() => {});
    return p;
  }

  /** Takes `n` bytes (all by default) from the front of what is pending. */
  private takePending(n = this.pendingBytes): Buffer {
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    const body = n >= all.length ? all : all.subarray(0, n);
    const rest = all.subarray(body.length);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    return body;
  }

  private async uploadPart(signal: AbortSignal, size?: number): Promise<SendResult> {
    const t = this.t;
    try {
      if (this.uploadId === undefined) {
        const created = await t.client.send(
          new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: this.key, ContentType: t.contentType, ...(t.contentEncoding ? { ContentEncoding: t.contentEncoding } : {}) }),
          { abortSignal: signal },
        );
        if (!created.UploadId) return { kind: 'retryable', reason: `S3 CreateMultipartUpload of ${this.key} returned no UploadId` };
        this.uploadId = created.UploadId;
      }
      const partNumber = this.completed.length + 1;
      const body = this.takePending(size);
      const r = await t.client.send(new UploadPartCommand({ Bucket: t.bucket, Key: this.key, UploadId: this.uploadId, PartNumber: partNumber, Body: body }), { abortSignal: signal });
      this.completed.push({ PartNumber: partNumber, ETag: r.ETag });
      this.parts = partNumber;
      return OK;
    } catch (err) {
      return classifyS3Error(err, `upload of ${this.key}`, t.secrets, signal);
    }
  }

  private async completeUpload(signal: AbortSignal): Promise<SendResult> {
    const t = this.t;
    try {
      await t.client.send(new CompleteMultipartUploadCommand({ Bucket: t.bucket, Key: this.key, UploadId: this.uploadId, MultipartUpload: { Parts: this.completed } }), { abortSignal: signal });
      return OK;
    } catch (err) {
      return classifyS3Error(err, `completion of ${this.key}`, t.secrets, signal);
    }
  }

  private async putWhole(signal: AbortSignal): Promise<SendResult> {
    const t = this.t;
    try {
      const body = this.takePending();
      await t.client.send(
        new PutObjectCommand({ Bucket: t.bucket, Key: this.key, Body: body, ContentType: t.contentType, ...(t.contentEncoding ? { ContentEncoding: t.contentEncoding } : {}) }),
        { abortSignal: signal },
      );
      this.parts = 1;
      return OK;
    } catch (err) {
      return classifyS3Error(err, `upload of ${this.key}`, t.secrets, signal);
    }
  }

  private async fail(r: Failure): Promise<void> {
    if (this.outcome || this.state === 'failed') return;
    this.state = 'failed';
    this.pending = [];
    this.pendingBytes = 0;
    this.t.logger.warn({ key: this.key, reason: r.reason }, 'S3 object failed; its batches will be sent again');
    if (this.uploadId !== undefined) await this.abortUpload(this.uploadId);
    this.settle(r);
  }

  private async abortUpload(uploadId: string): Promise<void> {
    // Best effort: parts of an aborted upload would otherwise be stored (and billed) until a
    // lifecycle rule removes them.
    try {
      await this.t.client.send(new AbortMultipartUploadCommand({ Bucket: this.t.bucket, Key: this.key, UploadId: uploadId }), { abortSignal: AbortSignal.timeout(this.t.requestTimeoutMs) });
    } catch {
      this.t.logger.warn({ key: this.key }, 'could not abort the multipart upload (a lifecycle rule removes it)');
    }
  }

  private settle(r: SendResult): void {
    this.outcome = r;
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const s of this.settlers.splice(0)) s(r);
  }
}
