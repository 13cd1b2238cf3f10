/** The `syslog` source: TCP (octet counting / newline, TLS) and UDP listeners (README.md). */
import type { SourceDef } from '../../core/component.js';
import { getFormat } from '../../formats/index.js';
import { syslogSourceSchema, type SyslogSourceConfig } from './config.js';
import { SyslogSource } from './source.js';

export const syslogSource: SourceDef<SyslogSourceConfig> = {
  kind: 'source',
  type: 'syslog',
  schema: syslogSourceSchema,
  build: (config, ctx) => new SyslogSource(config, ctx, getFormat(config.format)),
};

export { syslogSourceSchema, type SyslogSourceConfig } from './config.js';
export { SyslogSource } from './source.js';
export { Framer, type Frame, type FramingMode } from './framing.js';
