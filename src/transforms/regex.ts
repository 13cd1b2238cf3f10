/** Regex config values, compiled at validation time so a bad pattern is reported with its key path. */
import { z } from '../core/schema.js';

export function regexError(pattern: string, flags = ''): string | undefined {
  try {
    new RegExp(pattern, flags);
    return undefined;
  } catch (err) {
    return `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}`;
  }
}

/** A JavaScript regular expression source (named groups `(?<name>…)` allowed). */
export const regexString = () =>
  z.string({ error: 'expected a regular expression' }).superRefine((p, ctx) => {
    const err = regexError(p);
    if (err !== undefined) ctx.addIssue({ code: 'custom', message: err });
  });

/** The named groups a (valid) pattern declares, in order: read from the compiled regex, not the text. */
export function namedGroups(pattern: string): string[] {
  // `(?:p)|` always matches the empty string through its empty branch, and a match's `groups`
  // object lists every named group of the pattern (unmatched ones as undefined).
  const m = new RegExp(`(?:${pattern})|`).exec('');
  return m?.groups === undefined ? [] : Object.keys(m.groups);
}
