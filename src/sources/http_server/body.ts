/**
 * Request bodies within limits: the wire body is read up to max_body_bytes (413 beyond), then
 * decoded (gzip / deflate) with zlib's async API and a `maxOutputLength`, so a gzip bomb stops at
 * max_decompressed_bytes instead of filling memory.
 */
import type { IncomingMessage } from 'node:http';
import { gunzip, inflate, type InputType, type ZlibOptions } from 'node:zlib';

export type BodyResult =
  | { ok: true; body: Buffer }
  | { ok: false; reason: 'body_too_large' | 'aborted' };

/**
 * Reads the whole body, or stops once it passes `limit` bytes (the rest is left unread: the caller
 * answers 413 and decides whether the connection can be kept).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (r: BodyResult): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('aborted', onAbort);
      req.off('close', onClose);
      resolve(r);
    };
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limit) {
        req.pause();
        finish({ ok: false, reason: 'body_too_large' });
        return;
      }
      chunks.push(c);
    };
    const onEnd = (): void => finish({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    const onAbort = (): void => finish({ ok: false, reason: 'aborted' });
    const onClose = (): void => {
      if (!req.complete) onAbort();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('aborted', onAbort);
    req.on('close', onClose);
  });
}

export type DecodeResult =
  | { ok: true; body: Buffer }
  | { ok: false; reason: 'bad_encoding' | 'decompressed_too_large' | 'unsupported_encoding' };

type ZlibFn = (buf: InputType, opts: ZlibOptions, cb: (err: Error | null, out: Buffer) => void) => void;

function zlibAsync(fn: ZlibFn, body: Buffer, max: number): Promise<DecodeResult> {
  return new Promise((resolve) => {
    fn(body, { maxOutputLength: max }, (err, out) => {
      if (!err) resolve({ ok: true, body: out });
      else if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') resolve({ ok: false, reason: 'decompressed_too_large' });
      else resolve({ ok: false, reason: 'bad_encoding' });
    });
  });
}

/** Decodes per Content-Encoding (absent / identity / gzip / x-gzip / deflate). */
export function decodeBody(body: Buffer, encoding: string | undefined, maxDecompressed: number): Promise<DecodeResult> {
  const enc = encoding === undefined ? '' : encoding.trim().toLowerCase();
  if (enc === '' || enc === 'identity') return Promise.resolve({ ok: true, body });
  if (body.length === 0) return Promise.resolve({ ok: true, body });
  if (enc === 'gzip' || enc === 'x-gzip') return zlibAsync(gunzip as ZlibFn, body, maxDecompressed);
  if (enc === 'deflate') return zlibAsync(inflate as ZlibFn, body, maxDecompressed);
  return Promise.resolve({ ok: false, reason: 'unsupported_encoding' });
}
