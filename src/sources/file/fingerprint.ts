/**
 * Head-of-file fingerprint: a hash of the first `len` bytes (len ≤ fingerprint_bytes, shorter while
 * the file is small). With dev+ino it tells a file we know from a new one reusing its inode, and
 * notices copytruncate even when the file has regrown past our offset.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

export interface Fingerprint {
  len: number;
  hash: string;
}

export const EMPTY_FINGERPRINT: Fingerprint = Object.freeze({ len: 0, hash: '' });

function hashOf(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex').slice(0, 16);
}

/** Reads up to `max` head bytes; the result is a fresh fingerprint of what is there now. */
async function readHead(fh: FileHandle, max: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(max);
  let got = 0;
  while (got < max) {
    const { bytesRead } = await fh.read(buf, got, max - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

export type FingerprintCheck =
  /** The head still starts with the known bytes; `fp` may be longer than before. */
  | { match: true; fp: Fingerprint }
  /** Different head bytes (or a shorter file): another file, or the same inode rewritten. */
  | { match: false; fp: Fingerprint };

/** Compares the file's head with `known`, extending the fingerprint as the file grows. */
export async function checkFingerprint(fh: FileHandle, known: Fingerprint, max: number): Promise<FingerprintCheck> {
  // Read at least the known length, in case fingerprint_bytes was lowered since it was stored.
  const head = await readHead(fh, Math.max(max, known.len));
  const cur = head.length > max ? head.subarray(0, max) : head;
  const fp: Fingerprint = { len: cur.length, hash: cur.length > 0 ? hashOf(cur) : '' };
  if (known.len === 0) return { match: true, fp };
  if (head.length < known.len) return { match: false, fp };
  const prefixHash = cur.length === known.len ? fp.hash : hashOf(head.subarray(0, known.len));
  return { match: prefixHash === known.hash, fp };
}
