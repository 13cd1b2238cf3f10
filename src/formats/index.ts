/** Format registry: name → parser. */
import type { Format, FormatName } from './types.js';
import { raw } from './raw.js';
import { fastlyJson } from './fastly_json.js';

const formats: Partial<Record<FormatName, Format>> = {
  raw,
  fastly_json: fastlyJson,
};

export function getFormat(name: FormatName): Format {
  const f = formats[name];
  if (!f) throw new Error(`format ${name} is not available`);
  return f;
}

export { toLogEvent } from './event.js';
export * from './types.js';
