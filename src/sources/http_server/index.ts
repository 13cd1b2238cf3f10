/** The `http_server` source: Fastly HTTPS log endpoint compatible, any NDJSON sender (README.md). */
import type { SourceDef } from '../../core/component.js';
import { getFormat } from '../../formats/index.js';
import { httpServerSourceSchema, type HttpServerSourceConfig } from './config.js';
import { HttpServerSource } from './source.js';

export const httpServerSource: SourceDef<HttpServerSourceConfig> = {
  kind: 'source',
  type: 'http_server',
  schema: httpServerSourceSchema,
  build: (config, ctx) => new HttpServerSource(config, ctx, getFormat(config.format)),
};

export { httpServerSourceSchema, type HttpServerSourceConfig } from './config.js';
export { HttpServerSource } from './source.js';
