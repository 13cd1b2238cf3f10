/**
 * Overload: input at 10× what the sink can take, for N minutes, once with `when_full: block` and once
 * with `when_full: drop_newest`; then recovery (input stops, the receiver's capacity is lifted).
 * Checks: RSS stays bounded (memory buffer of --buffer events); with drop_newest the drops counted
 * by edgetail equal generated − delivered exactly; with block nothing is lost (the file is the
 * overflow store) and delivery catches up. Figures go to stdout.
 *
 *   npm run build && node dist/bench/overload.js --minutes 5 --capacity 1000
 *   (short run: --minutes 1)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { arg, generateLines, metric, root, rssMb, sleep, startCapacityReceiver, startPipeline, startWriter } from './harness.js';

const minutes = arg('minutes', 5);
const capacity = arg('capacity', 1000); // events/s the receiver serves
const factor = arg('factor', 10);
const bufferEvents = arg('buffer', 10_000);

interface Result {
  mode: string;
  generated: number;
  delivered: number;
  dropped: number;
  peakRssMb: number;
  endRssMb: number;
  duringOverloadDeliveredPerSec: number;
  recoverySecs: number;
}

async function runMode(mode: 'block' | 'drop_newest', lines: string[]): Promise<Result> {
  const dir = join(root, 'bench', '.data', `overload-${mode}`);
  rmSync(dir, { recursive: true, force: true });
  const rx = await startCapacityReceiver(capacity);
  const log = join(dir, 'edge.log');
  const et = await startPipeline(dir, log, [
    `  out: { type: http, inputs: [edge], uri: "${rx.url}", compression: none, batch: { max_events: 500, timeout_secs: 0.2 }, buffer: { type: memory, max_events: ${bufferEvents}, when_full: ${mode} }, request: { concurrency: 2 } }`,
  ]);
  const pid = et.child.pid!;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 1000);
  const writer = startWriter(log, lines, capacity * factor);
  const t0 = Date.now();
  const d0 = rx.lines;
  await sleep(minutes * 60_000);
  const overloadSecs = (Date.now() - t0) / 1000;
  const deliveredDuring = rx.lines - d0;
  writer.stop();
  rx.capacity = Infinity; // recovery: the downstream is healthy again
  const generated = writer.written;
  const r0 = Date.now();
  // Settled: the source read every line, the sink's buffer is empty, everything read was delivered or dropped.
  let dropped = 0;
  for (;;) {
    const m = await et.metrics();
    const read = metric(m, 'edgetail_component_received_events_total', { component_id: 'edge' });
    dropped = metric(m, 'edgetail_component_discarded_events_total', { component_id: 'out' });
    const buffered = metric(m, 'edgetail_buffer_events', { component_id: 'out' });
    if (read === generated && buffered === 0 && rx.lines + dropped >= generated) break;
    if (Date.now() - r0 > 30 * 60_000) throw new Error(`${mode}: did not settle (read ${read}, delivered ${rx.lines}, dropped ${dropped}, generated ${generated})`);
    await sleep(500);
  }
  const recoverySecs = (Date.now() - r0) / 1000;
  const endRss = rssMb(pid);
  clearInterval(sampler);
  await et.stop();
  await rx.close();
  return { mode, generated, delivered: rx.lines, dropped, peakRssMb: Math.round(peak), endRssMb: Math.round(endRss), duringOverloadDeliveredPerSec: Math.round(deliveredDuring / overloadSecs), recoverySecs: Math.round(recoverySecs) };
}

const lines = await generateLines(20_000);
const results: Result[] = [];
for (const mode of ['block', 'drop_newest'] as const) {
  process.stderr.write(`overload ${mode}: ${capacity * factor} lines/s into a ${capacity} events/s sink for ${minutes} min…\n`);
  results.push(await runMode(mode, lines));
}
console.table(results);
let ok = true;
for (const r of results) {
  const exact = r.generated - r.delivered === r.dropped;
  const lossless = r.mode === 'block' ? r.dropped === 0 && r.delivered === r.generated : true;
  console.log(`${r.mode}: generated − delivered = ${r.generated - r.delivered}, dropped counted = ${r.dropped} → ${exact ? 'exact' : 'MISMATCH'}${r.mode === 'block' ? `; lossless: ${lossless}` : ''}`);
  ok &&= exact && lossless;
}
process.exit(ok ? 0 : 1);
