/** Fast non-cryptographic hashing for consistent sampling decisions. */

/**
 * 32-bit FNV-1a over the string's UTF-16 code units, followed by murmur3's fmix32 avalanche so that
 * `hash % n` is well spread even for near-identical keys (sequential IPs, request ids).
 * Stable across processes and versions: agents that sample on the same key agree.
 */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
