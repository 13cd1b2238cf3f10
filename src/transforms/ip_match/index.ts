/**
 * `ip_match`: sets the boolean `target` (default `via_cdn`) to whether the address in `field`
 * (default `client_ip`) lies in the ranges of `ranges_file` (default: the shipped Fastly public
 * address list, config/fastly-public-ip-list.json). With `only_when`, only events matching that
 * condition are looked at (e.g. `layer == "origin"`). Events whose field is missing or not an
 * address get no target; they are counted (describe(): skipped_missing, skipped_invalid), and an
 * invalid address also counts as an error (error_type invalid_ip). Metric events pass through.
 */
import { join } from 'node:path';
import { inputs, nonEmptyString, z } from '../../core/schema.js';
import { compileCondition } from '../../core/expression.js';
import { ConfigError } from '../../core/errors.js';
import { packageRoot } from '../../core/paths.js';
import type { Event } from '../../core/event.js';
import type { TransformDef } from '../../core/component.js';
import { condition } from '../condition.js';
import { parseIP } from '../ip.js';
import { ipv4Contains, ipv6Contains, loadRanges, RangeFileError } from './ranges.js';

/** The shipped default list (a snapshot of https://api.fastly.com/public-ip-list). */
export function defaultRangesFile(): string {
  return join(packageRoot(), 'config', 'fastly-public-ip-list.json');
}

export const ipMatchSchema = z
  .strictObject({
    type: z.literal('ip_match'),
    inputs: inputs(),
    field: nonEmptyString('a field name').default('client_ip'),
    /** Relative paths are resolved from the working directory. Default: the shipped Fastly list. */
    ranges_file: nonEmptyString('a file path').optional(),
    target: nonEmptyString('a field name').default('via_cdn'),
    only_when: condition().optional(),
  })
  .superRefine((c, ctx) => {
    // Load the file now so that `edgetail validate` reports a missing or malformed list.
    try {
      loadRanges(c.ranges_file ?? defaultRangesFile());
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['ranges_file'], message: err instanceof Error ? err.message : String(err) });
    }
  });

export type IpMatchConfig = z.infer<typeof ipMatchSchema>;

export const ipMatch: TransformDef<IpMatchConfig> = {
  kind: 'transform',
  type: 'ip_match',
  schema: ipMatchSchema,
  build(config, ctx) {
    const file = config.ranges_file ?? defaultRangesFile();
    let ranges;
    try {
      ranges = loadRanges(file);
    } catch (err) {
      if (!(err instanceof RangeFileError)) throw err;
      throw new ConfigError([{ path: `transforms.${ctx.id}.ranges_file`, message: err.message, severity: 'error' }]);
    }
    const { field, target } = config;
    const onlyWhen = config.only_when === undefined ? undefined : compileCondition(config.only_when);
    const counts = { matched: 0, unmatched: 0, skipped_condition: 0, skipped_missing: 0, skipped_invalid: 0 };
    return {
      mutates: true,
      process(events: Event[]): Event[] {
        let invalid = 0;
        for (let i = 0; i < events.length; i++) {
          const ev = events[i]!;
          if (ev.type !== 'log') continue;
          const f = ev.fields;
          if (onlyWhen !== undefined && !onlyWhen(f)) {
            counts.skipped_condition++;
            continue;
          }
          const v = f[field];
          if (v === undefined) {
            counts.skipped_missing++;
            continue;
          }
          const p = typeof v === 'string' ? parseIP(v) : undefined;
          if (p === undefined) {
            invalid++;
            continue;
          }
          const hit = p.v6 === undefined ? ipv4Contains(ranges, p.v4) : ipv6Contains(ranges, p.v6);
          f[target] = hit;
          if (hit) counts.matched++;
          else counts.unmatched++;
        }
        if (invalid > 0) {
          counts.skipped_invalid += invalid;
          for (let n = 0; n < invalid; n++) ctx.metrics.error('invalid_ip', 'processing');
        }
        return events;
      },
      describe: () => ({ ranges_file: file, ipv4_intervals: ranges.starts.length, ipv6_ranges: ranges.v6.length, ...counts }),
    };
  },
};
