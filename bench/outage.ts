/**
 * Outage bench (issue "Durable disk buffers"): file → three disk-buffered http sinks; one sink's
 * receiver is down for 60 s, then back. Reports the other sinks' rate during the outage relative
 * to before it, edgetail's RSS during the outage, the down sink's buffer on disk and how long it
 * took to catch up; fails (exit 1) if any line is missing at any sink.
 *
 *   npm run build && node dist/bench/outage.js [--rate 20000] [--outage-secs 60] [--normal-secs 20] [--warmup-secs 5]
 */
import { parseArgs } from 'node:util';
import { runOutage } from '../test/helpers/outage-scenario.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '20000' },
    'outage-secs': { type: 'string', default: '60' },
    'normal-secs': { type: 'string', default: '20' },
    'warmup-secs': { type: 'string', default: '5' },
  },
});

const opts = { rate: Number(values.rate), outageSecs: Number(values['outage-secs']), normalSecs: Number(values['normal-secs']), warmupSecs: Number(values['warmup-secs']) };
process.stdout.write(`outage bench: ${opts.rate} lines/s appended; warm-up ${opts.warmupSecs} s, normal ${opts.normalSecs} s, outage ${opts.outageSecs} s\n`);
const r = await runOutage({ ...opts, log: (m) => process.stdout.write(`  ${m}\n`) });
const n = (x: number) => Math.round(x).toLocaleString('en-US');
process.stdout.write(
  [
    '',
    '| sink | normal lines/s | during outage lines/s | ratio | distinct | duplicates |',
    '|---|---|---|---|---|---|',
    `| a | ${n(r.sinks.a.normalRate)} | ${n(r.sinks.a.outageRate)} | ${r.sinks.a.ratio.toFixed(3)} | ${n(r.sinks.a.distinct)} | ${n(r.sinks.a.duplicates)} |`,
    `| b | ${n(r.sinks.b.normalRate)} | ${n(r.sinks.b.outageRate)} | ${r.sinks.b.ratio.toFixed(3)} | ${n(r.sinks.b.distinct)} | ${n(r.sinks.b.duplicates)} |`,
    `| down | – | 0 | – | ${n(r.sinks.down.distinct)} | ${n(r.sinks.down.duplicates)} |`,
    '',
    `lines ${n(r.lines)}; RSS before the outage ${r.rssMb.beforeOutage.toFixed(0)} MB, max during it ${r.rssMb.outageMax.toFixed(0)} MB, at its end ${r.rssMb.outageEnd.toFixed(0)} MB`,
    `down sink's buffer files at the end of the outage: ${(r.downBufferFileBytes / 1e6).toFixed(1)} MB; caught up ${r.catchUpSecs.toFixed(1)} s after its receiver came back; exit code ${r.exitCode}`,
    '',
  ].join('\n'),
);
const missing = [r.sinks.a, r.sinks.b, r.sinks.down].some((s) => s.missing.length > 0 || s.mismatched > 0 || s.foreign > 0 || s.distinct !== r.lines);
if (missing || r.exitCode !== 0) {
  process.stdout.write('FAILED: lines missing or edgetail did not stop cleanly\n');
  process.exitCode = 1;
}
