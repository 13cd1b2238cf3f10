/**
 * Startup recovery of a disk buffer: reads the ledger, deletes segments wholly before its ack
 * position, and scans the rest for valid records (reporting corrupt regions). Synchronous: it runs
 * once, when the sink is built.
 */
import { unlinkSync } from 'node:fs';
import type { Logger } from '../../core/component.js';
import { errorMessage } from '../../core/errors.js';
import { readLedger, type Position } from './ledger.js';
import { listSegments, scanSegment, segmentName, segmentPath, type ScannedRecord } from './segments.js';

export interface RecoveredRecord extends ScannedRecord {
  segment: number;
}

export interface Recovered {
  /** Records not yet acknowledged, oldest first. */
  records: RecoveredRecord[];
  /** The segment id to write next (never an existing one). */
  nextSegment: number;
  /** The oldest segment id still on disk (nextSegment when none). */
  oldestSegment: number;
}

export type CorruptReporter = (segment: number, offset: number, length: number, reason: string) => void;

export function recoverLog(dir: string, logger: Logger, corrupt: CorruptReporter): Recovered {
  let ack: Position = { segment: 0, offset: 0 };
  try {
    const ledger = readLedger(dir);
    if (ledger) ack = ledger.ack;
  } catch (err) {
    logger.error({ err: errorMessage(err), dir }, 'disk buffer ledger unreadable: delivering everything in the buffer again');
  }
  const ids = listSegments(dir);
  const records: RecoveredRecord[] = [];
  const kept: number[] = [];
  let last = ack.segment;
  for (const id of ids) {
    last = Math.max(last, id);
    if (id < ack.segment) {
      try {
        unlinkSync(segmentPath(dir, id));
      } catch {
        kept.push(id); // deleted later, once the ack position is persisted again
      }
      continue;
    }
    kept.push(id);
    const from = id === ack.segment ? ack.offset : 0;
    let scan: ReturnType<typeof scanSegment>;
    try {
      scan = scanSegment(dir, id, from);
    } catch (err) {
      corrupt(id, from, 0, `segment unreadable: ${errorMessage(err)}`);
      continue;
    }
    if (from > scan.size) logger.warn({ segment: segmentName(id), offset: from, size: scan.size }, 'disk buffer ledger points past the end of its segment');
    for (const c of scan.corrupt) corrupt(id, c.offset, c.length, c.reason);
    for (const r of scan.records) records.push({ segment: id, ...r });
  }
  const nextSegment = ids.length === 0 && ack.segment === 0 ? 1 : last + 1;
  return { records, nextSegment, oldestSegment: kept.length > 0 ? Math.min(...kept) : nextSegment };
}
