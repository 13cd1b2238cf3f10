/**
 * The ledger: where delivery resumes after a restart. `ack` is the position (segment id, byte
 * offset) of the first record not yet fully acknowledged; everything before it was acknowledged and
 * may be deleted. `read` is informational (how far the reader got). Written atomically: a temporary
 * file renamed over `ledger.json`, so a crash leaves either the old or the new ledger, never a torn
 * one. A stale ledger only means re-delivery (at-least-once), never loss.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface Position {
  segment: number;
  offset: number;
}

export interface LedgerState {
  version: 1;
  ack: Position;
  read: Position;
}

export const LEDGER_FILE = 'ledger.json';

function isPosition(p: unknown): p is Position {
  const q = p as Position | undefined;
  return typeof q?.segment === 'number' && typeof q.offset === 'number' && q.segment >= 0 && q.offset >= 0;
}

/** The stored ledger; undefined when there is none; throws when it exists but is unreadable. */
export function readLedger(dir: string): LedgerState | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, LEDGER_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<LedgerState>;
  if (!isPosition(parsed.ack)) throw new Error('ledger has no valid ack position');
  return { version: 1, ack: parsed.ack, read: isPosition(parsed.read) ? parsed.read : parsed.ack };
}

export async function writeLedger(dir: string, state: LedgerState): Promise<void> {
  const tmp = join(dir, `${LEDGER_FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(state));
  await rename(tmp, join(dir, LEDGER_FILE));
}

export function writeLedgerSync(dir: string, state: LedgerState): void {
  const tmp = join(dir, `${LEDGER_FILE}.tmp`);
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, join(dir, LEDGER_FILE));
}
