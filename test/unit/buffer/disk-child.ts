/**
 * Child process for the kill -9 test: pushes batches of 5 events forever (two pushes in flight at a
 * time) and prints `P <batch>` once a push resolved; takes and acks some chunks, printing
 * `A <ids>` after each ack, so that segments rotate and get deleted while it is being killed.
 */
import { makeLogEvent } from '../../../src/core/event.js';
import { DiskBuffer } from '../../../src/buffer/disk/index.js';
import { silentLogger } from '../../../src/telemetry/logger.js';

const b = new DiskBuffer({ dir: process.argv[2]!, logger: silentLogger(), segmentMaxBytes: 4096 });

function batch(name: string, n: number) {
  return Array.from({ length: 5 }, (_, i) => makeLogEvent('src', `${name}-${i}`, 0, { n }, `line ${n} ${i}`, 10));
}

async function main(): Promise<void> {
  for (let n = 0; ; n += 2) {
    await Promise.all([n, n + 1].map((k) => b.push(batch(`b${k}`, k)).then(() => process.stdout.write(`P b${k}\n`))));
    const c = b.take(7, 1 << 30);
    if (c) {
      b.ack(c);
      process.stdout.write(`A ${c.events.map((e) => e.id).join(',')}\n`);
    }
  }
}

void main();
