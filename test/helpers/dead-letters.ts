/** Reads a sink's dead-letter folder (data_dir/dead_letter/<sink>/*.ndjson) in tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './context.js';

export interface DeadLetterLine {
  reason: string;
  event: Record<string, unknown>;
}

/** Every dead-letter file's text, concatenated ('' while the folder does not exist). */
export function deadLetterText(dir: string): string {
  try {
    return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
  } catch {
    return '';
  }
}

/** Waits until `n` records are in the folder (calling `check` each time, e.g. to fail fast when the process died), then parses them. */
export async function waitDeadLettered(dir: string, n: number, check: () => void = () => {}, timeoutMs = 60_000): Promise<DeadLetterLine[]> {
  await waitFor(() => (check(), deadLetterText(dir).split('\n').length - 1 >= n), `${n} lines dead-lettered`, timeoutMs, 100);
  return deadLetterText(dir).trim().split('\n').map((l) => JSON.parse(l) as DeadLetterLine);
}
