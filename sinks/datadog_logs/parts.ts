/**
 * Sending a payload that is a list of intake-sized parts, in order, for both Datadog sinks.
 * `next` remembers how far a send got, so a retry of the same payload resumes at the first part not
 * yet accepted (parts already answered 202 are not sent again). A 413 splits the refused part in two
 * in place and the halves are sent (recursively, down to one item: a single item the intake still
 * refuses is a permanent failure of the batch).
 */
import { OK, type SendResult } from '../../src/delivery/types.js';

export interface PartedPayload<T> {
  parts: T[][];
  /** Index of the first part not yet accepted. */
  next: number;
}

export async function sendParts<T>(
  p: PartedPayload<T>,
  submit: (part: T[]) => Promise<{ result: SendResult; status: number }>,
  onSplit?: (items: number) => void,
): Promise<SendResult> {
  while (p.next < p.parts.length) {
    const part = p.parts[p.next]!;
    const { result, status } = await submit(part);
    if (result.kind === 'ok') {
      p.next++;
      continue;
    }
    if (status === 413 && part.length > 1) {
      const mid = part.length >> 1;
      p.parts.splice(p.next, 1, part.slice(0, mid), part.slice(mid));
      onSplit?.(part.length);
      continue;
    }
    if (status === 413) return { kind: 'permanent', reason: `${result.reason} (a single item the intake refuses as too large)` };
    return result;
  }
  return OK;
}

/** Splits items in order into parts of ≤ maxItems items and ≤ maxBytes bytes (sizes from `sizeOf`, +2 for the brackets). */
export function splitBySize<T>(items: readonly T[], sizeOf: (item: T) => number, maxItems: number, maxBytes: number): { parts: T[][]; bytes: number } {
  const parts: T[][] = [];
  let cur: T[] = [];
  let curBytes = 2;
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    const b = sizeOf(items[i]!);
    total += b;
    if (cur.length > 0 && (cur.length >= maxItems || curBytes + b > maxBytes)) {
      parts.push(cur);
      cur = [];
      curBytes = 2;
    }
    cur.push(items[i]!);
    curBytes += b;
  }
  if (cur.length > 0) parts.push(cur);
  return { parts, bytes: total };
}
