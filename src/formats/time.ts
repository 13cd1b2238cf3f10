/**
 * Timestamp readers shared by the formats. Each returns epoch milliseconds (whole ms, rounded down)
 * or NaN; none throws. Hand-written digit reads instead of `Date.parse`: Date.parse accepts too much
 * (locale formats, two-digit years) and too little (`+0000` without a colon), and is slow.
 */

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

/** Reads `n` ASCII digits at `i`; -1 when any of them is not a digit. */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1; // NaN from charCodeAt past the end fails both tests too
    v = v * 10 + c;
  }
  return v;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Epoch ms for a validated civil date-time in UTC, NaN when a component is out of range. */
function civil(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number): number {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return NaN;
  if (d > DAYS_IN_MONTH[mo - 1]! || (mo === 2 && d === 29 && !isLeap(y))) return NaN;
  const sec = s === 60 ? 59 : s;
  let t = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  if (y < 100) { // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not
    const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, sec, ms));
    date.setUTCFullYear(y);
    t = date.getTime();
  }
  return t - offsetMin * 60000;
}

/**
 * Zone suffix at `i`: `Z`, `z`, `GMT`, `UTC`, `±hh`, `±hhmm`, `±hh:mm`, or nothing (read as UTC).
 * Returns the offset in minutes, or NaN when the suffix is anything else (including trailing junk).
 */
function zone(s: string, i: number): number {
  const n = s.length;
  if (i === n) return 0;
  const c = s.charCodeAt(i);
  if (c === 90 || c === 122) return i + 1 === n ? 0 : NaN; // Z z
  if (c === 43 || c === 45) { // + -
    const sign = c === 43 ? 1 : -1;
    const hh = digits(s, i + 1, 2);
    if (hh < 0 || hh > 23) return NaN;
    let j = i + 3;
    let mm = 0;
    if (j < n) {
      if (s.charCodeAt(j) === 58) j++; // ':'
      mm = digits(s, j, 2);
      if (mm < 0 || mm > 59) return NaN;
      j += 2;
    }
    return j === n ? sign * (hh * 60 + mm) : NaN;
  }
  if (n - i === 3) {
    const z = s.slice(i).toUpperCase();
    if (z === 'GMT' || z === 'UTC') return 0;
  }
  return NaN;
}

/**
 * ISO-8601 / RFC 3339: `YYYY-MM-DD[T ]HH:MM[:SS[.fraction]][zone]`, or a bare `YYYY-MM-DD`.
 * A missing zone is read as UTC. Fractions below a millisecond are dropped.
 */
export function parseIso(s: string): number {
  const n = s.length;
  if (n < 10 || n > 64) return NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  if (y < 0 || mo < 0 || d < 0 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  if (n === 10) return civil(y, mo, d, 0, 0, 0, 0, 0);
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 116 && sep !== 32) return NaN; // T t space
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  if (h < 0 || mi < 0 || s.charCodeAt(13) !== 58) return NaN;
  let i = 16;
  let sec = 0;
  let ms = 0;
  if (s.charCodeAt(i) === 58) {
    sec = digits(s, i + 1, 2);
    if (sec < 0) return NaN;
    i += 3;
    const dot = s.charCodeAt(i);
    if (dot === 46 || dot === 44) { // '.' or ','
      i++;
      const start = i;
      let scale = 100;
      for (;;) {
        const c = s.charCodeAt(i) - 48;
        if (!(c >= 0 && c <= 9)) break;
        ms += c * scale;
        scale /= 10;
        i++;
      }
      if (i === start) return NaN;
      ms = Math.floor(ms);
    }
  }
  const off = zone(s, i);
  return off === off ? civil(y, mo, d, h, mi, sec, ms, off) : NaN;
}

/** Apache/nginx `%t` without brackets: `01/May/2024:12:00:00 +0000` (month name in any case). */
export function parseClf(s: string): number {
  if (s.length !== 26 || s.charCodeAt(2) !== 47 || s.charCodeAt(6) !== 47 || s.charCodeAt(11) !== 58
    || s.charCodeAt(14) !== 58 || s.charCodeAt(17) !== 58 || s.charCodeAt(20) !== 32) return NaN;
  const mo = MONTHS[s.slice(3, 6).toLowerCase()];
  const d = digits(s, 0, 2);
  const y = digits(s, 7, 4);
  const h = digits(s, 12, 2);
  const mi = digits(s, 15, 2);
  const sec = digits(s, 18, 2);
  if (mo === undefined || d < 0 || y < 0 || h < 0 || mi < 0 || sec < 0) return NaN;
  const sign = s.charCodeAt(21);
  const oh = digits(s, 22, 2);
  const om = digits(s, 24, 2);
  if ((sign !== 43 && sign !== 45) || oh < 0 || om < 0 || oh > 23 || om > 59) return NaN;
  return civil(y, mo, d, h, mi, sec, 0, (sign === 43 ? 1 : -1) * (oh * 60 + om));
}

/**
 * RFC 3164 (BSD syslog) `Mmm dd hh:mm:ss` (day space- or zero-padded, exactly 15 characters). It has
 * no year and no zone: read as UTC, in the year that puts it closest to `now` (a December line read
 * in January belongs to the previous year).
 */
export function parseBsdSyslog(s: string, now: number): number {
  if (s.length !== 15 || s.charCodeAt(3) !== 32 || s.charCodeAt(6) !== 32 || s.charCodeAt(9) !== 58 || s.charCodeAt(12) !== 58) return NaN;
  const mo = MONTHS[s.slice(0, 3).toLowerCase()];
  const d = s.charCodeAt(4) === 32 ? digits(s, 5, 1) : digits(s, 4, 2);
  const h = digits(s, 7, 2);
  const mi = digits(s, 10, 2);
  const sec = digits(s, 13, 2);
  if (mo === undefined || d < 0 || h < 0 || mi < 0 || sec < 0) return NaN;
  const y = new Date(now).getUTCFullYear();
  let best = NaN;
  for (const year of [y - 1, y, y + 1]) {
    const t = civil(year, mo, d, h, mi, sec, 0, 0);
    if (t === t && (best !== best || Math.abs(t - now) < Math.abs(best - now))) best = t;
  }
  return best;
}

/**
 * Epoch number with its unit guessed from its magnitude (the rule documented in docs/formats.md):
 * |v| < 1e11 → seconds, < 1e14 → milliseconds, < 1e17 → microseconds, < 1e20 → nanoseconds.
 * (1e11 s is the year 5138; 1e11 ms is March 1973, so the bands cannot be confused for real logs.)
 */
export function fromEpoch(v: number): number {
  if (!Number.isFinite(v)) return NaN;
  const a = Math.abs(v);
  if (a < 1e11) return Math.round(v * 1000);
  if (a < 1e14) return Math.floor(v);
  if (a < 1e17) return Math.floor(v / 1e3);
  if (a < 1e20) return Math.floor(v / 1e6);
  return NaN;
}

/** True when `s` is 1–20 ASCII digits (a status, a byte count, an epoch in µs). */
export function isDigits(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** True when `s` is a plain decimal number: optional '-', digits, optional '.digits'. */
export function isDecimal(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 40) return false;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  const first = i;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  if (i === first) return false;
  if (i === n) return true;
  if (s.charCodeAt(i) !== 46) return false;
  const frac = ++i;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
    i++;
  }
  return i > frac;
}

/** Any timestamp value a JSON log may carry: epoch number, numeric string, ISO-8601 or CLF text. */
export function parseAnyTimestamp(v: unknown): number {
  if (typeof v === 'number') return fromEpoch(v);
  if (typeof v !== 'string') return NaN;
  if (isDecimal(v)) return fromEpoch(Number(v));
  const c = v.charCodeAt(0);
  if (c === 91 && v.charCodeAt(v.length - 1) === 93) return parseClf(v.slice(1, -1)); // [..]
  const t = parseIso(v);
  return t === t ? t : parseClf(v);
}
