/** Config schema of the `demo` source (DESIGN.md keys: scenario, rate, seed; extras documented in docs/demo.md). */
import { z, posInt, posNumber } from '../../core/schema.js';

export const demoSourceSchema = z.strictObject({
  type: z.literal('demo'),
  scenario: z.enum(['cutover'], { error: 'expected cutover' }).default('cutover'),
  /** Lines per second (edge and origin together). */
  rate: posNumber().default(200),
  seed: z.number({ error: 'expected an integer' }).int({ error: 'expected an integer' }).default(1),
  /** Length of the migration in scenario seconds; the final mix holds afterwards. */
  duration_secs: posNumber().default(600),
  /** Plays the scenario this many times faster than real time (timestamps stay wall-clock). */
  time_scale: posNumber().default(1),
  /** Stop after this many lines (then `finished` resolves). */
  max_lines: posInt().optional(),
});

export type DemoSourceConfig = z.output<typeof demoSourceSchema>;
