/**
 * Compiles a live-feed filter (protocol.ts LiveFilter) into one predicate over event fields, once per
 * distinct filter. Field filters compare exactly (status_class by the status's hundreds digit); `expr`
 * is a condition compiled by src/core/expression.ts. All parts must match.
 */
import { compileCondition, type Condition } from '../core/expression.js';
import type { LiveFilter } from './protocol.js';

export function compileFilter(f: LiveFilter | null): Condition | undefined {
  if (f === null) return undefined;
  const cond = f.expr !== undefined ? compileCondition(f.expr) : undefined;
  const host = f.host;
  const pop = f.pop;
  const layer = f.layer;
  const cls = f.status_class !== undefined ? Number(f.status_class[0]) : undefined;
  return (fields) => {
    if (host !== undefined && fields.host !== host) return false;
    if (pop !== undefined && fields.pop !== pop) return false;
    if (layer !== undefined && fields.layer !== layer) return false;
    if (cls !== undefined) {
      const s = fields.status;
      if (typeof s !== 'number' || Math.floor(s / 100) !== cls) return false;
    }
    return cond === undefined || cond(fields);
  };
}
