/**
 * `combined`: Apache / nginx combined log format (and the common log format, its first seven fields).
 * `203.0.113.7 - - [01/May/2024:12:00:00 +0000] "GET /p HTTP/1.1" 200 49864192 "-" "curl/8.4.0"`
 * Grammar and field mapping: access_log.ts and docs/formats.md.
 */
import type { Format, ParseOutcome } from './types.js';
import { parseAccessLine } from './access_log.js';

export const combined: Format = {
  name: 'combined',
  parse(line: string): ParseOutcome {
    return parseAccessLine(line);
  },
};
