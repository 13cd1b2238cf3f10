/** Format registry: name → parser. What each format reads and how it maps: docs/formats.md. */
import type { Format, FormatName } from './types.js';
import { raw } from './raw.js';
import { fastlyJson } from './fastly_json.js';
import { fastlySyslog } from './fastly_syslog.js';
import { combined } from './combined.js';
import { h2o } from './h2o.js';
import { gcsUsage } from './gcs_usage.js';
import { auto } from './auto.js';

const formats: Record<FormatName, Format> = {
  fastly_json: fastlyJson,
  fastly_syslog: fastlySyslog,
  combined,
  h2o,
  gcs_usage: gcsUsage,
  auto,
  raw,
};

export function getFormat(name: FormatName): Format {
  const f = formats[name];
  if (!f) throw new Error(`format ${name} is not available`);
  return f;
}

export { toLogEvent } from './event.js';
export { popFromNode } from './fastly_syslog.js';
export * from './types.js';
