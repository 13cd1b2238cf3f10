/**
 * `edgetail generate`: synthetic cutover-scenario logs on a stream (stdout). fastly_json and
 * combined carry edge records, gcs_usage the origin bucket's records (header row first). The same
 * seed and start give the same bytes. The caller owns the stream (it is not ended here).
 */
import { once } from 'node:events';
import { CutoverScenario, EDGE_LAYER, KIND_EDGE, ORIGIN_LAYER, type DemoRecord } from '../sources/demo/scenario.js';
import { GCS_HEADER, toCombined, toFastlyJson, toGcsUsage } from '../sources/demo/writers.js';

export type GenerateFormat = 'fastly_json' | 'gcs_usage' | 'combined';

export interface GenerateOptions {
  scenario: 'cutover';
  format: GenerateFormat;
  /** Records to write (gcs_usage writes a header row on top). */
  lines: number;
  seed: number;
  /** Scenario start, epoch ms (default DEFAULT_START_MS, so output is reproducible). */
  startMs?: number;
  /** Scenario length in seconds (default 600): timestamps spread evenly over it. */
  durationSecs?: number;
}

/** 2024-05-01T12:00:00Z: a fixed default start keeps `generate` output identical run to run. */
export const DEFAULT_START_MS = Date.UTC(2024, 4, 1, 12, 0, 0);

/** Lines joined per write() call: fewer, larger writes (about 256 KB each for fastly_json). */
const LINES_PER_CHUNK = 512;

export async function runGenerate(opts: GenerateOptions, out: NodeJS.WritableStream): Promise<void> {
  if (opts.scenario !== 'cutover') throw new Error(`unknown scenario "${String(opts.scenario)}" (known: cutover)`);
  if (!Number.isInteger(opts.lines) || opts.lines < 0) throw new Error('lines must be a non-negative integer');
  const durationSecs = opts.durationSecs ?? 600;
  const startMs = opts.startMs ?? DEFAULT_START_MS;
  const scenario = new CutoverScenario({ seed: opts.seed, startMs, durationSecs });
  const step = opts.lines > 0 ? (durationSecs * 1000) / opts.lines : 0;

  let write: (r: DemoRecord) => string;
  let kinds: number;
  switch (opts.format) {
    case 'fastly_json':
      write = toFastlyJson;
      kinds = EDGE_LAYER;
      break;
    case 'combined':
      // A plain access log of the edge: one line per client request (no shield hops).
      write = toCombined;
      kinds = KIND_EDGE;
      break;
    case 'gcs_usage':
      write = toGcsUsage;
      kinds = ORIGIN_LAYER;
      break;
    default:
      throw new Error(`unknown format "${String(opts.format)}" (fastly_json, gcs_usage, combined)`);
  }

  // A reader that goes away (`generate | head`) ends generation quietly; other errors are thrown.
  let failed: NodeJS.ErrnoException | undefined;
  const onError = (err: NodeJS.ErrnoException) => {
    failed ??= err;
  };
  out.on('error', onError);
  try {
    let chunk = opts.format === 'gcs_usage' ? GCS_HEADER + '\n' : '';
    let inChunk = 0;
    for (let i = 0; i < opts.lines && !failed; i++) {
      const now = Math.floor(startMs + i * step);
      chunk += write(scenario.next(now, now, kinds)) + '\n';
      if (++inChunk === LINES_PER_CHUNK) {
        await writeChunk(out, chunk, () => failed);
        chunk = '';
        inChunk = 0;
      }
    }
    if (chunk.length > 0 && !failed) await writeChunk(out, chunk, () => failed);
  } finally {
    out.removeListener('error', onError);
  }
  if (failed && failed.code !== 'EPIPE') throw failed;
}

/** write(), waiting for 'drain' when the stream's buffer is full (backpressure). */
async function writeChunk(out: NodeJS.WritableStream, s: string, failed: () => unknown): Promise<void> {
  if (out.write(s) || failed()) return;
  // once() also rejects on 'error'; the error listener above has recorded it already.
  await once(out as unknown as NodeJS.EventEmitter, 'drain').catch(() => undefined);
}
