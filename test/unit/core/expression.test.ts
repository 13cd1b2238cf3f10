import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition, ExpressionError } from '../../../src/core/expression.js';

const ev = (fields: Record<string, unknown>) => fields;
const check = (expr: string, fields: Record<string, unknown>) => compileCondition(expr)(fields);

function throwsAt(expr: string, fragment: RegExp | string, column?: number): void {
  assert.throws(
    () => compileCondition(expr),
    (err: unknown) => {
      assert.ok(err instanceof ExpressionError, `expected ExpressionError, got ${String(err)}`);
      if (typeof fragment === 'string') assert.ok(err.message.includes(fragment), `message "${err.message}" should contain "${fragment}"`);
      else assert.match(err.message, fragment);
      if (column !== undefined) {
        assert.equal(err.column, column, `column in "${err.message}"`);
        assert.ok(err.message.includes(`at column ${column}`), err.message);
      }
      assert.ok(err.message.includes(expr), 'message quotes the condition');
      return true;
    },
  );
}

describe('compileCondition: the examples from the design', () => {
  test('status >= 500', () => {
    const c = compileCondition('status >= 500');
    assert.equal(c({ status: 500 }), true);
    assert.equal(c({ status: 503 }), true);
    assert.equal(c({ status: 499 }), false);
    assert.equal(c({}), false);
  });

  test('host == "dl.k8s.io" && cache_state != "HIT"', () => {
    const c = compileCondition('host == "dl.k8s.io" && cache_state != "HIT"');
    assert.equal(c({ host: 'dl.k8s.io', cache_state: 'MISS' }), true);
    assert.equal(c({ host: 'dl.k8s.io', cache_state: 'HIT' }), false);
    assert.equal(c({ host: 'cdn.dl.k8s.io', cache_state: 'MISS' }), false);
  });

  test('!(layer == "edge") || via_cdn == false', () => {
    const c = compileCondition('!(layer == "edge") || via_cdn == false');
    assert.equal(c({ layer: 'origin', via_cdn: true }), true);
    assert.equal(c({ layer: 'edge', via_cdn: false }), true);
    assert.equal(c({ layer: 'edge', via_cdn: true }), false);
    assert.equal(c({ layer: 'edge' }), false);
  });

  test('pop in ("IAD", "FRA")', () => {
    const c = compileCondition('pop in ("IAD", "FRA")');
    assert.equal(c({ pop: 'IAD' }), true);
    assert.equal(c({ pop: 'FRA' }), true);
    assert.equal(c({ pop: 'LHR' }), false);
    assert.equal(c({}), false);
  });

  test('user_agent ~= "^curl/"', () => {
    const c = compileCondition('user_agent ~= "^curl/"');
    assert.equal(c({ user_agent: 'curl/7.68.0' }), true);
    assert.equal(c({ user_agent: 'Wget/1.21 curl/' }), false);
    assert.equal(c({}), false);
  });

  test('is_edge == true', () => {
    const c = compileCondition('is_edge == true');
    assert.equal(c({ is_edge: true }), true);
    assert.equal(c({ is_edge: false }), false);
    assert.equal(c({ is_edge: 'true' }), false);
    assert.equal(c({}), false);
  });
});

describe('compileCondition: every operator', () => {
  test('== and != on strings, numbers and booleans (strict: no type coercion)', () => {
    assert.equal(check('status == 200', { status: 200 }), true);
    assert.equal(check('status == 200', { status: '200' }), false);
    assert.equal(check('status != 200', { status: 404 }), true);
    assert.equal(check('status != 200', { status: 200 }), false);
    assert.equal(check('host == "a"', { host: 'a' }), true);
    assert.equal(check('via_cdn == false', { via_cdn: false }), true);
    assert.equal(check('via_cdn != false', { via_cdn: true }), true);
  });

  test('<, <=, >, >= on numbers, including decimals and negatives', () => {
    const f = { elapsed_us: 1500, ratio: 0.25, delta: -3 };
    assert.equal(check('elapsed_us < 1501', f), true);
    assert.equal(check('elapsed_us < 1500', f), false);
    assert.equal(check('elapsed_us <= 1500', f), true);
    assert.equal(check('elapsed_us <= 1499', f), false);
    assert.equal(check('elapsed_us > 1499', f), true);
    assert.equal(check('elapsed_us > 1500', f), false);
    assert.equal(check('elapsed_us >= 1500', f), true);
    assert.equal(check('elapsed_us >= 1501', f), false);
    assert.equal(check('ratio > 0.2', f), true);
    assert.equal(check('ratio > 0.3', f), false);
    assert.equal(check('delta < -2', f), true);
    assert.equal(check('delta < -4', f), false);
  });

  test('ordering comparisons with a non-number are false, not an error', () => {
    assert.equal(check('status >= 500', { status: '503' }), false);
    assert.equal(check('status < 500', { status: 'abc' }), false);
    assert.equal(check('status < 500', { status: true }), false);
  });

  test('&& / and, || / or, ! / not, with C precedence (and binds tighter than or)', () => {
    const f = { a: 1, b: 2 };
    assert.equal(check('a == 1 && b == 2', f), true);
    assert.equal(check('a == 1 and b == 3', f), false);
    assert.equal(check('a == 0 || b == 2', f), true);
    assert.equal(check('a == 0 or b == 3', f), false);
    assert.equal(check('!(a == 1)', f), false);
    assert.equal(check('not (a == 2)', f), true);
    assert.equal(check('!!(a == 1)', f), true);
    // or(a==1, and(a==0, b==0)) = true; and(or(a==1, a==0), b==0) would be false
    assert.equal(check('a == 1 || a == 0 && b == 0', f), true);
    assert.equal(check('(a == 1 || a == 0) && b == 0', f), false);
  });

  test('! binds tighter than comparisons, as in C: !a == b is (!a) == b', () => {
    assert.equal(check('!a == b', { a: true, b: false }), true);
    assert.equal(check('!(a == b)', { a: true, b: false }), true);
    assert.equal(check('!a == b', { a: false, b: false }), false);
  });

  test('in (...) and not in (...), with and without a space before the list', () => {
    assert.equal(check('pop in ("IAD")', { pop: 'IAD' }), true);
    assert.equal(check('pop in("IAD","FRA")', { pop: 'FRA' }), true);
    assert.equal(check('status in (200, 206)', { status: 206 }), true);
    assert.equal(check('status in (200, 206)', { status: 404 }), false);
    assert.equal(check('pop not in ("IAD", "FRA")', { pop: 'LHR' }), true);
    assert.equal(check('pop not in ("IAD", "FRA")', { pop: 'IAD' }), false);
    assert.equal(check('!(pop in ("IAD"))', { pop: 'LHR' }), true);
  });

  test('~= and its alias =~ (regex match); numbers match as their decimal text', () => {
    assert.equal(check('path ~= "^/release/v1\\.2[0-9]/"', { path: '/release/v1.27/bin' }), true);
    assert.equal(check('path =~ "kubectl$"', { path: '/bin/kubectl' }), true);
    assert.equal(check('path ~= "kubectl$"', { path: '/bin/kubectl.exe' }), false);
    assert.equal(check('status ~= "^5"', { status: 503 }), true);
    assert.equal(check('status ~= "^5"', { status: 403 }), false);
    assert.equal(check('flag ~= "true"', { flag: true }), false);
  });

  test('a backslash escape other than \\\\ and \\" is kept, so regex classes need no doubling', () => {
    assert.equal(check('user_agent ~= "^curl/\\d+\\."', { user_agent: 'curl/7.68.0' }), true);
    // "\\d" (an escaped backslash) is the same regex \d
    assert.equal(check('user_agent ~= "^curl/\\\\d"', { user_agent: 'curl/7' }), true);
    assert.equal(check('user_agent ~= "^curl/\\\\d"', { user_agent: 'curl/x' }), false);
  });

  test('string literals: double or single quotes, escaped quotes, operators inside strings untouched', () => {
    assert.equal(check("host == 'cdn.dl.k8s.io'", { host: 'cdn.dl.k8s.io' }), true);
    assert.equal(check('q == "say \\"hi\\""', { q: 'say "hi"' }), true);
    assert.equal(check("q == 'it\\'s'", { q: "it's" }), true);
    assert.equal(check('a == "!x" && b != "&& || !"', { a: '!x', b: 'c' }), true);
    assert.equal(check('a == "x != y"', { a: 'x != y' }), true);
    assert.equal(check('a == "not in"', { a: 'not in' }), true);
  });

  test('backquoted field names reach fields with unusual characters', () => {
    assert.equal(check('`x-cache` == "HIT"', { 'x-cache': 'HIT' }), true);
  });

  test('parentheses, arithmetic and modulo (% and mod)', () => {
    assert.equal(check('(status - status mod 100) == 500', { status: 503 }), true);
    assert.equal(check('status % 100 == 3', { status: 503 }), true);
    assert.equal(check('resp_bytes / 1024 > 1', { resp_bytes: 2048 }), true);
    assert.equal(check('resp_bytes * 2 + 1 == 5', { resp_bytes: 2 }), true);
  });

  test('functions: exists, empty and the string helpers', () => {
    assert.equal(check('exists(pop)', { pop: 'IAD' }), true);
    assert.equal(check('exists(pop)', {}), false);
    assert.equal(check('!exists(pop)', {}), true);
    assert.equal(check('empty(referer)', { referer: '' }), true);
    assert.equal(check('empty(referer)', {}), true);
    assert.equal(check('empty(referer)', { referer: 'x' }), false);
    assert.equal(check('lower(host) == "dl.k8s.io"', { host: 'DL.K8S.IO' }), true);
    assert.equal(check('upper(pop) == "IAD"', { pop: 'iad' }), true);
    assert.equal(check('len(path) == 4', { path: '/abc' }), true);
    assert.equal(check('contains(path, "/bin/")', { path: '/release/bin/x' }), true);
    assert.equal(check('starts_with(path, "/release/")', { path: '/release/x' }), true);
    assert.equal(check('ends_with(path, ".exe")', { path: '/kubectl.exe' }), true);
    assert.equal(check('ends_with(path, ".exe")', {}), false);
    assert.equal(check('abs(delta) == 3', { delta: -3 }), true);
  });

  test('if … then … else', () => {
    assert.equal(check('if layer == "edge" then is_edge == true else status >= 200', { layer: 'origin', status: 200 }), true);
    assert.equal(check('if layer == "edge" then is_edge == true else status >= 200', { layer: 'edge', is_edge: false }), false);
  });
});

test('the docs/transforms.md examples compile', () => {
  for (const e of [
    'status >= 500',
    'host == "dl.k8s.io" && cache_state != "HIT"',
    '!(layer == "edge") || via_cdn == false',
    'pop in ("IAD", "FRA")',
    'user_agent ~= "^curl/"',
    'is_edge == true && client_kind not in ("ci", "bot")',
    'layer == "origin" and exists(client_ip)',
    'exists(cache_state) && cache_state != "HIT"',
    'name == "edgetail_requests" && pop == "IAD" && value > 0',
  ]) {
    assert.equal(typeof compileCondition(e), 'function', e);
  }
  assert.equal(check('is_edge == true && client_kind not in ("ci", "bot")', { is_edge: true, client_kind: 'cli' }), true);
  assert.equal(check('is_edge == true && client_kind not in ("ci", "bot")', { is_edge: true, client_kind: 'bot' }), false);
});

describe('compileCondition: missing fields and runtime safety', () => {
  test('a missing field makes ==, in, ~= and ordering false; != and not in are their negations', () => {
    const c = (e: string) => check(e, {});
    assert.equal(c('status == 200'), false);
    assert.equal(c('status < 200'), false);
    assert.equal(c('status <= 200'), false);
    assert.equal(c('status > 200'), false);
    assert.equal(c('status >= 200'), false);
    assert.equal(c('pop in ("IAD")'), false);
    assert.equal(c('user_agent ~= "."'), false);
    assert.equal(c('cache_state != "HIT"'), true);
    assert.equal(c('pop not in ("IAD")'), true);
    assert.equal(c('!(status >= 500)'), true);
    // Two missing fields are not equal to each other either.
    assert.equal(c('a == b'), false);
    // null and undefined values count as missing.
    assert.equal(check('status >= 0', { status: null }), false);
    assert.equal(check('status == x', { status: undefined, x: undefined }), false);
  });

  test('a bare field that is missing or not boolean makes the condition false; booleans work bare', () => {
    assert.equal(check('is_edge', { is_edge: true }), true);
    assert.equal(check('!is_edge', { is_edge: false }), true);
    assert.equal(check('is_edge', {}), false);
    assert.equal(check('!is_edge', {}), false);
    assert.equal(check('status', { status: 200 }), false);
    assert.equal(check('status == 200 || is_edge', { status: 200 }), true);
  });

  test('the result is always a boolean, whatever the expression evaluates to', () => {
    for (const [e, f] of [
      ['status', { status: 200 }],
      ['host', { host: 'x' }],
      ['status + 1', { status: 1 }],
      ['status + 1', {}],
      ['lower(x)', { x: 'A' }],
    ] as const) {
      const r = check(e, f);
      assert.equal(typeof r, 'boolean', e);
      assert.equal(r, false, e);
    }
  });

  test('never reads the prototype chain (no escape from the sandbox)', () => {
    assert.equal(check('constructor == constructor', {}), false);
    assert.equal(check('exists(toString)', {}), false);
    assert.equal(check('exists(__proto__)', {}), false);
    assert.equal(check('exists(`constructor`)', {}), false);
    assert.equal(check('exists(hasOwnProperty)', { a: 1 }), false);
  });

  test('compiled once, evaluated many times with different fields', () => {
    const c = compileCondition('status >= 500 && pop in ("IAD", "FRA")');
    const events = [ev({ status: 500, pop: 'IAD' }), ev({ status: 200, pop: 'IAD' }), ev({ status: 502, pop: 'LHR' }), ev({ status: 503, pop: 'FRA' })];
    assert.deepEqual(events.map(c), [true, false, false, true]);
  });

  test('metric-like views (tags + name + value) work the same', () => {
    assert.equal(check('name == "requests" && value > 10 && pop == "IAD"', { pop: 'IAD', name: 'requests', value: 11 }), true);
  });
});

describe('compileCondition: errors say what and where', () => {
  test('incomplete expressions point at the end', () => {
    throwsAt('status >= ', 'unexpected end of condition', 11);
    throwsAt('status >= 500 &&', 'unexpected end of condition', 17);
    throwsAt('status >= 500 and', 'unexpected end of condition', 18);
    throwsAt('(status == 1', 'unexpected end of condition', 13);
  });

  test('an unexpected token is named with its column', () => {
    throwsAt('status 500', 'unexpected "500"', 8);
    throwsAt('status == 1 )', 'unexpected ")"', 13);
    throwsAt('status == == 1', 'unexpected "=="', 11);
  });

  test('unknown functions are rejected at compile time, with the known list', () => {
    throwsAt('foo(status) == 1', /unknown function "foo" \(known: abs, .*starts_with/, 1);
    throwsAt('status == 1 && eval("1")', 'unknown function "eval"', 16);
  });

  test('invalid regex literals are rejected at compile time', () => {
    throwsAt('path ~= "["', 'invalid regular expression "["', 9);
  });

  test('lexical errors: single =, single & or |, unterminated strings, stray characters, ?:', () => {
    throwsAt('status = 500', 'single "=" is not an operator (use == to compare)', 8);
    throwsAt('a == 1 & b == 2', 'single "&" is not an operator', 8);
    throwsAt('a == 1 | b == 2', 'single "|" is not an operator', 8);
    throwsAt('host == "dl.k8s.io', 'unterminated string', 9);
    throwsAt("host == 'x", 'unterminated string', 9);
    throwsAt('a == 1 }', 'unexpected character "}"', 8);
    throwsAt('a ? b : c', 'write if … then … else', 3);
    throwsAt('x == 12abc', 'malformed number "12a"', 6);
  });

  test('empty conditions are rejected', () => {
    assert.throws(() => compileCondition(''), ExpressionError);
    assert.throws(() => compileCondition('   '), /the condition is empty/);
  });

  test('ExpressionError is an Error with name, expression and column', () => {
    try {
      compileCondition('status >=');
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof Error);
      assert.ok(err instanceof ExpressionError);
      assert.equal(err.name, 'ExpressionError');
      assert.equal(err.expression, 'status >=');
      assert.equal(err.column, 10);
    }
  });
});
