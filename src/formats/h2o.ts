/**
 * `h2o`: h2o's default access log, `%h %l %u %t "%r" %s %b "%{Referer}i" "%{User-agent}i"`, i.e. the
 * combined grammar. h2o escapes Apache-style by default (`\x22` for a quote) or JSON-style
 * (`escape: json`); the shared decoder reads both, so this is the combined parser under its own name
 * (kept separate so configs say what they read, and so h2o-specific fields can be added here).
 */
import type { Format, ParseOutcome } from './types.js';
import { parseAccessLine } from './access_log.js';

export const h2o: Format = {
  name: 'h2o',
  parse(line: string): ParseOutcome {
    return parseAccessLine(line);
  },
};
