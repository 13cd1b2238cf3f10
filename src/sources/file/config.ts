/** Config schema of the `file` source (DESIGN.md keys plus documented extras in docs/file-source.md). */
import { z, nonEmptyString, posInt, posNumber, nonNegInt } from '../../core/schema.js';
import { FORMAT_NAMES } from '../../formats/types.js';

const glob = () => nonEmptyString('a glob pattern');

export const fileSourceSchema = z.strictObject({
  type: z.literal('file'),
  include: z.array(glob(), { error: 'expected a list of glob patterns' }).min(1, { error: 'expected at least one glob pattern' }),
  exclude: z.array(glob(), { error: 'expected a list of glob patterns' }).default([]),
  /** Where to start in a file seen for the first time at startup (files appearing later: beginning). */
  start_at: z.enum(['beginning', 'end'], { error: 'expected beginning or end' }).default('beginning'),
  format: z.enum(FORMAT_NAMES, { error: `expected one of ${FORMAT_NAMES.join(', ')}` }).default('auto'),
  /** Longer lines are truncated to this many bytes (on a character boundary), emitted and counted. */
  max_line_bytes: posInt().default(102_400),
  glob_interval_ms: posInt().default(1000),
  /** How often idle files are checked for new data. */
  poll_interval_ms: posInt().default(250),
  read_buffer_bytes: posInt().min(1024, { error: 'expected at least 1024' }).default(262_144),
  max_batch_events: posInt().default(1000),
  /**
   * Worker threads that parse lines (0: parse on the main thread). 1 lets a second core parse while
   * the main thread encodes and sends (bench/README.md); it costs one more V8 heap (~10 MB idle).
   */
  parse_workers: nonNegInt().max(16, { error: 'expected at most 16' }).default(0),
  checkpoint_interval_ms: posInt().default(100),
  /** Files whose mtime is older than this are not opened when discovered. */
  ignore_older_secs: posNumber().optional(),
  /** Bytes at the head of a file hashed, with dev+ino, into its identity (detects inode reuse, copytruncate). */
  fingerprint_bytes: posInt().default(256),
  /** A file no longer at any included path stays open this long after its last growth (rename rotation). */
  rotate_wait_ms: nonNegInt().default(5000),
});

export type FileSourceConfig = z.output<typeof fileSourceSchema>;
