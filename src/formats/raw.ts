/** `raw`: no parsing; the line is kept as `raw` and as the `message` field. */
import type { Format, Parsed } from './types.js';

export const raw: Format = {
  name: 'raw',
  parse(line: string): Parsed {
    return { timestamp: NaN, fields: { message: line } };
  },
};
