/** Finds the files to tail: fast-glob over `include` minus `exclude`, then one stat each for identity. */
import fg from 'fast-glob';
import { stat } from 'node:fs/promises';

export interface FoundFile {
  path: string;
  /** `${dev}-${ino}`, exact (bigint stat: inode numbers may exceed 2^53). */
  key: string;
  size: number;
  mtimeMs: number;
}

export async function discover(include: readonly string[], exclude: readonly string[]): Promise<FoundFile[]> {
  const paths = await fg([...include], {
    ignore: [...exclude],
    absolute: true,
    onlyFiles: true,
    dot: true,
    followSymbolicLinks: true,
    suppressErrors: true,
    unique: true,
  });
  paths.sort();
  const found: FoundFile[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    let st;
    try {
      st = await stat(path, { bigint: true });
    } catch {
      continue; // vanished between glob and stat: the next pass decides
    }
    if (!st.isFile()) continue;
    const key = `${st.dev}-${st.ino}`;
    if (seen.has(key)) continue; // hard links / symlinks to one file: tail it once
    seen.add(key);
    found.push({ path, key, size: Number(st.size), mtimeMs: Number(st.mtimeMs) });
  }
  return found;
}
