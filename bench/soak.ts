/**
 * Soak: a steady input rate (well under capacity) for N minutes; edgetail's RSS is sampled every
 * --every seconds and a least-squares line is fitted to the samples after the first 20% (warm-up).
 * Prints the samples' range, the slope (MB/min) and R²; at the end, delivered must equal generated.
 *
 *   npm run build && node dist/bench/soak.js --minutes 30 --rate 2000
 *   (short run: --minutes 1)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { arg, generateLines, metric, regression, root, rssMb, sleep, startCapacityReceiver, startPipeline, startWriter } from './harness.js';

const minutes = arg('minutes', 30);
const rate = arg('rate', 2000);
const every = arg('every', 10);

const dir = join(root, 'bench', '.data', 'soak');
rmSync(dir, { recursive: true, force: true });
const lines = await generateLines(20_000);
const rx = await startCapacityReceiver(Infinity);
const log = join(dir, 'edge.log');
const et = await startPipeline(dir, log, [
  `  out: { type: http, inputs: [edge], uri: "${rx.url}", compression: gzip, batch: { timeout_secs: 0.5 } }`,
  '  live: { type: live, inputs: [edge] }',
]);
const pid = et.child.pid!;
const writer = startWriter(log, lines, rate);
const t0 = Date.now();
const samples: Array<{ min: number; rss: number }> = [];
process.stderr.write(`soak: ${rate} lines/s for ${minutes} min, RSS every ${every} s…\n`);
while (Date.now() - t0 < minutes * 60_000) {
  await sleep(every * 1000);
  samples.push({ min: (Date.now() - t0) / 60_000, rss: rssMb(pid) });
}
writer.stop();
const generated = writer.written;
const s0 = Date.now();
while (rx.lines < generated && Date.now() - s0 < 120_000) await sleep(250);
const m = await et.metrics();
await et.stop();
await rx.close();

const steady = samples.slice(Math.floor(samples.length * 0.2));
const { slope, r2 } = regression(steady.map((s) => s.min), steady.map((s) => s.rss));
const rss = steady.map((s) => s.rss);
console.log(`samples: ${samples.map((s) => s.rss.toFixed(0)).join(' ')} MB`);
console.log(`steady-state RSS ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MB over ${steady.length} samples; slope ${slope.toFixed(2)} MB/min (R² ${r2.toFixed(2)})`);
console.log(`generated ${generated}, delivered ${rx.lines}, errors ${metric(m, 'edgetail_component_errors_total', {}, { error_type: 'none' })}`);
process.exit(rx.lines === generated ? 0 : 1);
