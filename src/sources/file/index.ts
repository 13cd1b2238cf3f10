/** The `file` source: tails files matched by globs, with checkpoints advanced by end-to-end acknowledgement. */
import type { SourceDef } from '../../core/component.js';
import { getFormat } from '../../formats/index.js';
import { fileSourceSchema, type FileSourceConfig } from './config.js';
import { FileSource } from './source.js';

export const fileSource: SourceDef<FileSourceConfig> = {
  kind: 'source',
  type: 'file',
  schema: fileSourceSchema,
  build(config, ctx) {
    return new FileSource(config, ctx, getFormat(config.format));
  },
};

export { fileSourceSchema, type FileSourceConfig } from './config.js';
export { FileSource } from './source.js';
