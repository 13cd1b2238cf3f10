/**
 * Value coercion shared by the formats: logs write numbers as strings, booleans as "true"/"1",
 * and leave fields empty or "-". Each helper returns undefined for "absent", so callers can omit
 * the field (canonical fields are never null).
 */
import type { Fields } from '../core/event.js';
import { isDecimal } from './time.js';

/** A finite number from a number or a plain decimal string; undefined otherwise ("", "-", "abc", 1e400). */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && isDecimal(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** true/false from a boolean, "true"/"false" (any case), 1/0 or "1"/"0"; undefined otherwise. */
export function toBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === '1') return true;
  if (v === 0 || v === '0') return false;
  if (typeof v === 'string' && (v.length === 4 || v.length === 5)) {
    const l = v.toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
  }
  return undefined;
}

/** A string from a string, or the decimal text of a finite number / a boolean; undefined otherwise. */
export function toText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

/**
 * Sets `url`, and `path` / `query` derived from it: path = before the first '?', query = after it
 * (set only when the url has a '?'; "" for a bare trailing '?'). An absolute-form url
 * (`http://host/p?q`, as proxies log it) keeps its scheme and authority in `url` but not in `path`.
 */
export function setUrl(fields: Fields, url: string): void {
  fields.url = url;
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  if (path.charCodeAt(0) !== 47 && (path.startsWith('http://') || path.startsWith('https://'))) {
    const slash = path.indexOf('/', path.indexOf('//') + 2);
    path = slash < 0 ? '/' : path.slice(slash);
  }
  fields.path = path;
  if (q >= 0) fields.query = url.slice(q + 1);
}
