/**
 * Every transform type and how to load its definition. The config registry imports only the types a
 * config names (an agent without transforms loads none of them, nor the expression language).
 * Keep in step with index.ts (test/unit/config/registry.test.ts checks both list the same types).
 */
import type { TransformDef } from '../core/component.js';

export const transformLoaders: ReadonlyArray<readonly [string, () => Promise<TransformDef>]> = [
  ['filter', async () => (await import('./filter.js')).filter],
  ['route', async () => (await import('./route.js')).route],
  ['sample', async () => (await import('./sample.js')).sample],
  ['redact', async () => (await import('./redact.js')).redact],
  ['extract', async () => (await import('./extract.js')).extract],
  ['classify', async () => (await import('./classify/index.js')).classify],
  ['remap', async () => (await import('./remap.js')).remap],
  ['ip_match', async () => (await import('./ip_match/index.js')).ipMatch],
  ['aggregate', async () => (await import('./aggregate.js')).aggregate],
];
