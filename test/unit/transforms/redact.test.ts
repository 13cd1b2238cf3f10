import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { redact } from '../../../src/transforms/redact.js';
import { Secret } from '../../../src/core/secret.js';
import type { LogEvent } from '../../../src/core/event.js';
import { build, log, metric, problems, run } from './events.js';

const ipAfter = async (config: Record<string, unknown>, ip: unknown) => {
  const { transform } = await build(redact, config);
  const [e] = run(transform, [log({ client_ip: ip })]) as LogEvent[];
  return e!.fields.client_ip;
};

describe('redact: truncate (default)', () => {
  test('IPv4 to /24 by default, any prefix on request', async () => {
    assert.equal(await ipAfter({}, '203.0.113.50'), '203.0.113.0');
    assert.equal(await ipAfter({ client_ip: { ipv4_prefix: 16 } }, '203.0.113.50'), '203.0.0.0');
    assert.equal(await ipAfter({ client_ip: { ipv4_prefix: 20 } }, '151.101.250.5'), '151.101.240.0');
    assert.equal(await ipAfter({ client_ip: { ipv4_prefix: 32 } }, '151.101.10.5'), '151.101.10.5');
    assert.equal(await ipAfter({ client_ip: { ipv4_prefix: 0 } }, '151.101.10.5'), '0.0.0.0');
    assert.equal(await ipAfter({}, '255.255.255.255'), '255.255.255.0');
  });

  test('IPv6 to /48 by default, any prefix on request; IPv4-mapped IPv6 is truncated as IPv4', async () => {
    assert.equal(await ipAfter({}, '2001:db8:1::7'), '2001:db8:1::');
    assert.equal(await ipAfter({}, '2001:0db8:abcd:1234:5678::1'), '2001:db8:abcd::');
    assert.equal(await ipAfter({ client_ip: { ipv6_prefix: 32 } }, '2001:db8:1::7'), '2001:db8::');
    assert.equal(await ipAfter({ client_ip: { ipv6_prefix: 56 } }, '2a04:4e42:0:12ff::1'), '2a04:4e42:0:1200::');
    assert.equal(await ipAfter({}, '::ffff:198.51.100.77'), '198.51.100.0');
  });

  test('a value that is not an address is removed (fail closed) and counted as an error', async () => {
    const { transform, ctx } = await build(redact, {});
    const out = run(transform, [log({ client_ip: '1.2.3.4, 5.6.7.8', a: 1 }), log({ client_ip: 42 }), log({ a: 2 })]) as LogEvent[];
    assert.deepEqual(out.map((e) => e.fields), [{ a: 1 }, {}, { a: 2 }]);
    assert.deepEqual(ctx.metrics.counts.errors, { 'invalid_ip/processing': 2 });
  });

  test('fields lists the address fields to treat', async () => {
    const { transform } = await build(redact, { fields: ['client_ip', 'forwarded_for'] });
    const [e] = run(transform, [log({ client_ip: '203.0.113.50', forwarded_for: '198.51.100.77', server_ip: '192.0.2.1' })]) as LogEvent[];
    assert.deepEqual(e!.fields, { client_ip: '203.0.113.0', forwarded_for: '198.51.100.0', server_ip: '192.0.2.1' });
  });

  test('mode none leaves addresses alone', async () => {
    assert.equal(await ipAfter({ client_ip: { mode: 'none' } }, '203.0.113.50'), '203.0.113.50');
  });
});

describe('redact: keyed hash', () => {
  const hmac16 = (key: string, text: string) => createHmac('sha256', key).update(text).digest('hex').slice(0, 16);

  test('HMAC-SHA256 with the secret, hex, 16 characters; same input → same output', async () => {
    const cfg = { client_ip: { mode: 'hash', key: 's3cret' } };
    const h = await ipAfter(cfg, '203.0.113.50');
    assert.equal(h, hmac16('s3cret', '203.0.113.50'));
    assert.match(h as string, /^[0-9a-f]{16}$/);
    assert.equal(await ipAfter(cfg, '203.0.113.50'), h);
    assert.notEqual(await ipAfter({ client_ip: { mode: 'hash', key: 'other' } }, '203.0.113.50'), h);
  });

  test('IPv6 is hashed in its canonical text, so spellings of one address agree', async () => {
    const cfg = { client_ip: { mode: 'hash', key: 'k' } };
    const expected = hmac16('k', '2001:db8:1::7');
    assert.equal(await ipAfter(cfg, '2001:DB8:1:0:0:0:0:7'), expected);
    assert.equal(await ipAfter(cfg, '2001:db8:1::7'), expected);
    assert.equal(await ipAfter(cfg, '::ffff:203.0.113.50'), hmac16('k', '203.0.113.50'));
  });

  test('repeated addresses in one batch hash identically (cache) and non-addresses are hashed as text', async () => {
    const { transform } = await build(redact, { client_ip: { mode: 'hash', key: 'k' } });
    const out = run(transform, [log({ client_ip: '192.0.2.1' }), log({ client_ip: '192.0.2.1' }), log({ client_ip: 'unknown' })]) as LogEvent[];
    assert.deepEqual(out.map((e) => e.fields.client_ip), [hmac16('k', '192.0.2.1'), hmac16('k', '192.0.2.1'), hmac16('k', 'unknown')]);
  });

  test('the key is a Secret and is required for mode hash', async () => {
    const { config } = await build(redact, { client_ip: { mode: 'hash', key: 'k' } });
    assert.ok(config.client_ip.key instanceof Secret);
    assert.equal(JSON.stringify(config).includes('"k"'), false);
    assert.match(problems(redact, { client_ip: { mode: 'hash' } })[0]!, /^client_ip\.key: required when mode is hash/);
    assert.match(problems(redact, { client_ip: { mode: 'hash', key: '' } })[0]!, /^client_ip\.key: required/);
  });
});

describe('redact: query, delete, raw', () => {
  test('drop_query removes query and the ?… part of url', async () => {
    const { transform } = await build(redact, { drop_query: true });
    const out = run(transform, [
      log({ url: '/release/v1/kubectl.exe?alt=media&x="y"', query: 'alt=media&x="y"', path: '/release/v1/kubectl.exe' }),
      log({ url: '/no-query' }),
    ]) as LogEvent[];
    assert.deepEqual(out[0]!.fields, { url: '/release/v1/kubectl.exe', path: '/release/v1/kubectl.exe' });
    assert.deepEqual(out[1]!.fields, { url: '/no-query' });
  });

  test('without drop_query the query stays', async () => {
    const { transform } = await build(redact, {});
    const [e] = run(transform, [log({ url: '/a?b=1', query: 'b=1' })]) as LogEvent[];
    assert.deepEqual(e!.fields, { url: '/a?b=1', query: 'b=1' });
  });

  test('delete removes the listed fields', async () => {
    const { transform } = await build(redact, { delete: ['referer', 'user_agent', 'absent'] });
    const [e] = run(transform, [log({ referer: 'https://x/', user_agent: 'curl/8', status: 200 })]) as LogEvent[];
    assert.deepEqual(e!.fields, { status: 200 });
  });

  test('drop_raw (default) clears the original line; false keeps it', async () => {
    const on = await build(redact, {});
    const [a] = run(on.transform, [log({ client_ip: '203.0.113.50' }, '203.0.113.50 - - "GET /"')]) as LogEvent[];
    assert.equal(a!.raw, undefined);
    const off = await build(redact, { drop_raw: false });
    const [b] = run(off.transform, [log({ client_ip: '203.0.113.50' }, 'line')]) as LogEvent[];
    assert.equal(b!.raw, 'line');
  });

  test('mutates in place; metric events pass through untouched', async () => {
    const { transform } = await build(redact, { delete: ['pop'] });
    assert.equal(transform.mutates, true);
    const m = metric('requests', 1, { pop: 'IAD', client_ip: '203.0.113.50' });
    const [out] = run(transform, [m]);
    assert.equal(out, m);
    assert.deepEqual(m.tags, { pop: 'IAD', client_ip: '203.0.113.50' });
  });

  test('schema: prefixes in range, known modes, strict keys', () => {
    assert.match(problems(redact, { client_ip: { ipv4_prefix: 33 } })[0]!, /^client_ip\.ipv4_prefix: /);
    assert.match(problems(redact, { client_ip: { ipv6_prefix: 129 } })[0]!, /^client_ip\.ipv6_prefix: /);
    assert.match(problems(redact, { client_ip: { mode: 'scramble' } })[0]!, /^client_ip\.mode: expected truncate, hash or none/);
    assert.equal(problems(redact, { client_ip: { typo: 1 } }).length, 1);
    const parsed = redact.schema.parse({ type: 'redact', inputs: ['a'] });
    assert.deepEqual(parsed, { type: 'redact', inputs: ['a'], fields: ['client_ip'], client_ip: { mode: 'truncate', ipv4_prefix: 24, ipv6_prefix: 48 }, drop_query: false, delete: [], drop_raw: true });
  });
});
