/** The `demo` source: a built-in traffic generator playing the cutover scenario (docs/demo.md). */
import type { SourceDef } from '../../core/component.js';
import { demoSourceSchema, type DemoSourceConfig } from './config.js';
import { DemoSource } from './source.js';

export const demoSource: SourceDef<DemoSourceConfig> = {
  kind: 'source',
  type: 'demo',
  schema: demoSourceSchema,
  build: (config, ctx) => new DemoSource(config, ctx),
};

export { DemoSource } from './source.js';
export { demoSourceSchema, type DemoSourceConfig } from './config.js';
export { CutoverScenario, type DemoRecord, type CutoverOptions } from './scenario.js';
export { toFastlyJson, toGcsUsage, toCombined, GCS_HEADER } from './writers.js';
