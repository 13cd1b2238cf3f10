/** Loader hooks of test/helpers/load-log.ts (they run on the loader's own thread). */
import { appendFileSync } from 'node:fs';

type Next = (url: string, context: unknown) => Promise<unknown>;

export async function load(url: string, context: unknown, next: Next): Promise<unknown> {
  const result = await next(url, context);
  const log = process.env.EDGETAIL_LOAD_LOG;
  if (log && url.startsWith('file:')) appendFileSync(log, `${url}\n`);
  return result;
}
