/**
 * The condition language of `filter`, `route`, `sample.exclude`, `ip_match.only_when` and the
 * live-feed / `tap` filters: a small safe expression language over flat event fields, compiled ONCE
 * by filtrex (a Jison-generated parser that emits a sandboxed function) — never `eval` of user text.
 *
 * Our own tokeniser runs first. It accepts C-style operators next to filtrex's words (`&&` → and,
 * `||` → or, `!` → not, `=~` → `~=`, `%` → mod), single- or double-quoted strings, backquoted field
 * names, reports lexical problems and unknown functions with their column, and re-emits a normalised
 * filtrex expression (one space between tokens, so filtrex's keyword rules never glue `in(`).
 *
 * Semantics (docs/transforms.md "Conditions"):
 * - A missing field is a value equal to nothing: `==`, `in`, `~=`, `<`, `<=`, `>`, `>=` are false;
 *   `!=` and `not in` are their negations, hence true. `!(a == b)` is always `a != b`.
 * - Ordering comparisons need two numbers; `~=` matches strings (numbers are matched as their
 *   decimal text); anything else is false, never an exception.
 * - `and` / `or` / `not` need booleans. A bare field that is missing or not a boolean makes the whole
 *   condition false (write `is_edge == true` to be explicit).
 * - The compiled function always returns a boolean: only a result of exactly `true` matches.
 */
import { compileExpression } from 'filtrex';

export class ExpressionError extends Error {
  /** The expression as written. */
  readonly expression: string;
  /** 1-based column of the problem, when known. */
  readonly column: number | undefined;
  constructor(expression: string, message: string, column?: number) {
    super(column === undefined ? `${message}: "${expression}"` : `${message} at column ${column} of condition "${expression}"`);
    this.name = 'ExpressionError';
    this.expression = expression;
    this.column = column;
  }
}

export type Condition = (fields: Record<string, unknown>) => boolean;

/** The value a missing field has inside an expression: equal to nothing, not a string nor a number. */
const MISSING: object = Object.freeze(Object.create(null) as object);

const hasOwn = Object.prototype.hasOwnProperty;

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'of', 'if', 'then', 'else', 'mod']);

const strOrMissing = (v: unknown): unknown => (typeof v === 'string' ? v : MISSING);

/** Functions an expression may call: filtrex's built-ins (with missing-aware exists/empty) plus a few string helpers. */
const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  abs: (x) => Math.abs(x as number),
  ceil: (x) => Math.ceil(x as number),
  floor: (x) => Math.floor(x as number),
  round: (x) => Math.round(x as number),
  sqrt: (x) => Math.sqrt(x as number),
  log: (x) => Math.log(x as number),
  log2: (x) => Math.log2(x as number),
  log10: (x) => Math.log10(x as number),
  max: (...xs) => Math.max(...(xs as number[])),
  min: (...xs) => Math.min(...(xs as number[])),
  exists: (v) => v !== MISSING && v !== undefined && v !== null,
  empty: (v) => v === MISSING || v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0),
  lower: (s) => (typeof s === 'string' ? s.toLowerCase() : strOrMissing(s)),
  upper: (s) => (typeof s === 'string' ? s.toUpperCase() : strOrMissing(s)),
  len: (s) => (typeof s === 'string' || Array.isArray(s) ? s.length : MISSING),
  contains: (s, sub) => typeof s === 'string' && typeof sub === 'string' && s.includes(sub),
  starts_with: (s, p) => typeof s === 'string' && typeof p === 'string' && s.startsWith(p),
  ends_with: (s, p) => typeof s === 'string' && typeof p === 'string' && s.endsWith(p),
};

export const CONDITION_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS).sort();

interface Token {
  /** Text handed to filtrex. */
  out: string;
  /** 0-based offset in the original expression. */
  pos: number;
  /** Original text (for messages). */
  src: string;
  kind: 'op' | 'word' | 'ident' | 'string' | 'number' | 'punct';
}

/** filtrex string literal: double quotes, only `\"` and `\\` escapes. */
function filtrexString(value: string, quote: '"' | "'"): string {
  return quote + value.replace(/\\/g, '\\\\').replace(quote === '"' ? /"/g : /'/g, `\\${quote}`) + quote;
}

/**
 * Reads a quoted literal starting at `start` (the opening quote). Escapes: `\\` and the quote
 * itself; any other backslash is kept as is, so regexes like "^curl/\d" need no doubling.
 */
function readQuoted(expr: string, start: number, quote: string): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '\\' && i + 1 < expr.length) {
      const n = expr[i + 1]!;
      if (n === '\\' || n === quote) {
        value += n;
        i += 2;
        continue;
      }
      value += c;
      i += 1;
      continue;
    }
    if (c === quote) return { value, end: i + 1 };
    value += c;
    i += 1;
  }
  const what = quote === '`' ? 'field name' : 'string';
  throw new ExpressionError(expr, `unterminated ${what} (missing closing ${quote})`, start + 1);
}

const IDENT_START = /[A-Za-z_$]/;
const IDENT_REST = /[A-Za-z0-9_$.]/;
const DIGIT = /[0-9]/;

function tokenize(expr: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  const push = (kind: Token['kind'], out: string, pos: number, src: string) => toks.push({ kind, out, pos, src });
  while (i < expr.length) {
    const c = expr[i]!;
    const two = expr.slice(i, i + 2);
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i += 1;
    } else if (c === '"' || c === "'") {
      const { value, end } = readQuoted(expr, i, c);
      push('string', filtrexString(value, '"'), i, expr.slice(i, end));
      i = end;
    } else if (c === '`') {
      const { value, end } = readQuoted(expr, i, '`');
      push('ident', filtrexString(value, "'"), i, expr.slice(i, end));
      i = end;
    } else if (DIGIT.test(c)) {
      let j = i + 1;
      while (j < expr.length && DIGIT.test(expr[j]!)) j++;
      if (expr[j] === '.' && DIGIT.test(expr[j + 1] ?? '')) {
        j += 1;
        while (j < expr.length && DIGIT.test(expr[j]!)) j++;
      }
      if (j < expr.length && IDENT_REST.test(expr[j]!)) {
        throw new ExpressionError(expr, `malformed number "${expr.slice(i, j + 1)}"`, i + 1);
      }
      push('number', expr.slice(i, j), i, expr.slice(i, j));
      i = j;
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < expr.length && IDENT_REST.test(expr[j]!)) j++;
      const word = expr.slice(i, j);
      push(KEYWORDS.has(word) ? 'word' : 'ident', word, i, word);
      i = j;
    } else if (two === '&&') {
      push('word', 'and', i, two);
      i += 2;
    } else if (two === '||') {
      push('word', 'or', i, two);
      i += 2;
    } else if (two === '==' || two === '!=' || two === '<=' || two === '>=' || two === '~=') {
      push('op', two, i, two);
      i += 2;
    } else if (two === '=~') {
      push('op', '~=', i, two);
      i += 2;
    } else if (c === '!') {
      push('word', 'not', i, c);
      i += 1;
    } else if (c === '=') {
      throw new ExpressionError(expr, 'single "=" is not an operator (use == to compare)', i + 1);
    } else if (c === '&' || c === '|') {
      throw new ExpressionError(expr, `single "${c}" is not an operator (use ${c}${c} or ${c === '&' ? 'and' : 'or'})`, i + 1);
    } else if (c === '?' || c === ':') {
      throw new ExpressionError(expr, `unexpected "${c}" (write if … then … else)`, i + 1);
    } else if (c === '%') {
      push('word', 'mod', i, c);
      i += 1;
    } else if ('<>+-*/^'.includes(c)) {
      push('op', c, i, c);
      i += 1;
    } else if (c === '(' || c === ')' || c === ',') {
      push('punct', c, i, c);
      i += 1;
    } else {
      throw new ExpressionError(expr, `unexpected character "${c}"`, i + 1);
    }
  }
  return toks;
}

/** Compile-time checks filtrex leaves to run time: unknown functions, invalid regex literals. */
function checkTokens(expr: string, toks: Token[]): void {
  for (let t = 0; t < toks.length; t++) {
    const tok = toks[t]!;
    const next = toks[t + 1];
    if (tok.kind === 'ident' && tok.src[0] !== '`' && next?.out === '(' && !hasOwn.call(FUNCTIONS, tok.out)) {
      throw new ExpressionError(expr, `unknown function "${tok.out}" (known: ${CONDITION_FUNCTIONS.join(', ')})`, tok.pos + 1);
    }
    if (tok.out === '~=' && next?.kind === 'string') {
      const { value } = readQuoted(next.out, 0, '"');
      try {
        new RegExp(value);
      } catch (err) {
        const why = (err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
        throw new ExpressionError(expr, `invalid regular expression ${next.src} (${why})`, next.pos + 1);
      }
    }
  }
}

/** Turns filtrex's Jison parse error into one line naming the column in the original expression. */
function parseError(expr: string, toks: Token[], starts: number[], err: unknown): ExpressionError {
  const msg = err instanceof Error ? err.message : String(err);
  const lines = msg.split('\n');
  const caret = lines.find((l) => /^-*\^$/.test(l));
  const col = caret === undefined ? -1 : caret.length - 1;
  let idx = -1;
  for (let t = 0; t < starts.length; t++) if (starts[t]! <= col) idx = t;
  const got = /got '([^']+)'/.exec(msg)?.[1];
  const expecting = /Expecting (.*), got/.exec(msg)?.[1] ?? '';
  const hint = expecting.includes("'Symbol'") ? 'expected a value, a field or "("' : 'expected an operator, ")" or the end';
  if (got === 'EndOfExpression' || idx < 0) return new ExpressionError(expr, `unexpected end of condition (${hint})`, expr.length + 1);
  const tok = toks[idx]!;
  return new ExpressionError(expr, `unexpected ${JSON.stringify(tok.src)} (${hint})`, tok.pos + 1);
}

function makeOperators(): Record<string, (a: unknown, b: unknown) => boolean> {
  // Regexes are compiled once per distinct pattern (normally one literal), bounded for `a ~= b`.
  const regexes = new Map<string, RegExp>();
  const regex = (p: string): RegExp => {
    let re = regexes.get(p);
    if (re === undefined) {
      if (regexes.size >= 256) regexes.clear();
      re = new RegExp(p);
      regexes.set(p, re);
    }
    return re;
  };
  const eq = (a: unknown, b: unknown): boolean => a === b && a !== MISSING;
  return {
    '==': eq,
    '!=': (a, b) => !eq(a, b),
    '<': (a, b) => typeof a === 'number' && typeof b === 'number' && a < b,
    '<=': (a, b) => typeof a === 'number' && typeof b === 'number' && a <= b,
    '>': (a, b) => typeof a === 'number' && typeof b === 'number' && a > b,
    '>=': (a, b) => typeof a === 'number' && typeof b === 'number' && a >= b,
    '~=': (a, b) => {
      if (typeof b !== 'string') return false;
      if (typeof a === 'string') return regex(b).test(a);
      if (typeof a === 'number') return regex(b).test(String(a));
      return false;
    },
  };
}

/** A field lookup that never reads the prototype chain and turns absent / null into MISSING. */
function fieldProp(name: string, _get: unknown, obj: unknown): unknown {
  if (obj === null || typeof obj !== 'object' || !hasOwn.call(obj, name)) return MISSING;
  const v = (obj as Record<string, unknown>)[name];
  return v === undefined || v === null ? MISSING : v;
}

/**
 * Compiles a condition once. Throws ExpressionError (message names the problem and its column) for
 * bad syntax, unknown functions and invalid regex literals. The returned function never throws and
 * always returns a boolean.
 */
export function compileCondition(expr: string): Condition {
  if (typeof expr !== 'string' || expr.trim() === '') throw new ExpressionError(String(expr ?? ''), 'the condition is empty');
  const toks = tokenize(expr);
  checkTokens(expr, toks);
  const starts: number[] = [];
  let text = '';
  for (const tok of toks) {
    if (text) text += ' ';
    starts.push(text.length);
    text += tok.out;
  }
  // A trailing space lets filtrex's keyword rules (`and[^\w]`) see a keyword at the very end.
  text += ' ';
  let fn: (data: unknown) => unknown;
  try {
    fn = compileExpression(text, {
      extraFunctions: FUNCTIONS,
      constants: { true: true, false: false },
      customProp: fieldProp,
      operators: makeOperators() as never,
    });
  } catch (err) {
    throw parseError(expr, toks, starts, err);
  }
  return (fields) => fn(fields) === true;
}
