import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRangesFile, ipMatch } from '../../../../src/transforms/ip_match/index.js';
import { ConfigError } from '../../../../src/core/errors.js';
import { packageRoot } from '../../../../src/core/paths.js';
import type { LogEvent } from '../../../../src/core/event.js';
import { testContext, tempDir } from '../../../helpers/context.js';
import { build, log, metric, problems, run } from '../events.js';

async function viaCdn(ips: unknown[], config: Record<string, unknown> = {}): Promise<unknown[]> {
  const { transform } = await build(ipMatch, config);
  const out = run(transform, ips.map((ip) => log({ client_ip: ip }))) as LogEvent[];
  return out.map((e) => e.fields.via_cdn);
}

describe('ip_match with the shipped Fastly list', () => {
  test('the default ranges file is the shipped copy of the sample list', () => {
    assert.equal(defaultRangesFile(), join(packageRoot(), 'config', 'fastly-public-ip-list.json'));
    assert.equal(readFileSync(defaultRangesFile(), 'utf8'), readFileSync(join(packageRoot(), 'test/fixtures/samples/fastly-public-ip-list.json'), 'utf8'));
  });

  test('the gcs-usage.csv sample clients: only 151.101.10.5 is Fastly', async () => {
    // c_ip column of test/fixtures/samples/gcs-usage.csv
    assert.deepEqual(await viaCdn(['203.0.113.50', '151.101.10.5', '2001:db8:1::7', '198.51.100.77']), [false, true, false, false]);
  });

  test('IPv6 and IPv4-mapped IPv6', async () => {
    assert.deepEqual(await viaCdn(['2a04:4e42::1', '2a04:4e40:ffff::9', '2a04:4e41::1', '2a04:4e43::', '::ffff:151.101.10.5', '::ffff:203.0.113.50']), [true, true, false, false, true, false]);
  });

  test('range boundaries (151.101.0.0/16, 23.235.32.0/20, 199.232.0.0/16)', async () => {
    assert.deepEqual(
      await viaCdn(['151.101.0.0', '151.101.255.255', '151.100.255.255', '151.102.0.0', '23.235.32.0', '23.235.47.255', '23.235.48.0', '23.235.31.255', '199.232.0.1', '199.231.255.255']),
      [true, true, false, false, true, true, false, false, true, false],
    );
  });

  test('missing field or not an address: target not set, counted (invalid ones also as errors)', async () => {
    const { transform, ctx } = await build(ipMatch, {});
    const out = run(transform, [log({ status: 1 }), log({ client_ip: 'unknown' }), log({ client_ip: 12 }), log({ client_ip: '151.101.1.1' })]) as LogEvent[];
    assert.deepEqual(out.map((e) => e.fields.via_cdn), [undefined, undefined, undefined, true]);
    assert.equal('via_cdn' in out[0]!.fields, false);
    assert.deepEqual(ctx.metrics.counts.errors, { 'invalid_ip/processing': 2 });
    const d = transform.describe!();
    assert.equal(d.skipped_missing, 1);
    assert.equal(d.skipped_invalid, 2);
    assert.equal(d.matched, 1);
    assert.equal(d.unmatched, 0);
    // 19 IPv4 CIDRs, three adjacent pairs merge: 103.245.222.0/23 + 103.245.224.0/24,
    // 140.248.64.0/18 + 140.248.128.0/17, 167.82.0.0/17 + 167.82.128.0/20 → 16 intervals.
    assert.equal(d.ipv4_intervals, 16);
    assert.equal(d.ipv6_ranges, 2);
  });

  test('field, target and only_when', async () => {
    const { transform } = await build(ipMatch, { field: 'peer', target: 'is_fastly', only_when: 'layer == "origin"' });
    const out = run(transform, [log({ layer: 'origin', peer: '151.101.10.5' }), log({ layer: 'edge', peer: '151.101.10.5' }), log({ layer: 'origin', peer: '203.0.113.50' })]) as LogEvent[];
    assert.deepEqual(out.map((e) => e.fields.is_fastly), [true, undefined, false]);
    assert.equal(transform.describe!().skipped_condition, 1);
  });

  test('mutates; metric events untouched', async () => {
    const { transform } = await build(ipMatch, {});
    assert.equal(transform.mutates, true);
    const m = metric('x', 1, { client_ip: '151.101.10.5' });
    run(transform, [m]);
    assert.deepEqual(m.tags, { client_ip: '151.101.10.5' });
  });
});

describe('ip_match with a custom ranges_file', () => {
  test('one CIDR per line', async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'ranges.txt');
      writeFileSync(file, '# corporate egress\n192.0.2.0/24\n2001:db8:1::/48\n');
      assert.deepEqual(await viaCdn(['192.0.2.200', '192.0.3.1', '2001:db8:1::7', '2001:db8:2::7', '151.101.10.5'], { ranges_file: file }), [true, false, true, false, false]);
    } finally {
      dir.cleanup();
    }
  });

  test('a missing or malformed file is a schema problem at ranges_file naming the file', () => {
    const dir = tempDir();
    try {
      const missing = join(dir.path, 'nope.txt');
      const p1 = problems(ipMatch, { ranges_file: missing });
      assert.deepEqual(p1, [`ranges_file: ${missing}: cannot read (ENOENT)`]);
      const bad = join(dir.path, 'bad.txt');
      writeFileSync(bad, '10.0.0.0/8\n10.0.0.0/40\n');
      assert.deepEqual(problems(ipMatch, { ranges_file: bad }), [`ranges_file: ${bad}: line 2: "10.0.0.0/40" has an invalid prefix length`]);
      assert.match(problems(ipMatch, { only_when: 'layer = "origin"' })[0]!, /^only_when: single "="/);
    } finally {
      dir.cleanup();
    }
  });

  test('build() turns a file that went bad after validation into a ConfigError with the key path', async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'ranges.txt');
      writeFileSync(file, '10.0.0.0/8\n');
      const config = ipMatch.schema.parse({ type: 'ip_match', inputs: ['in'], ranges_file: file });
      writeFileSync(file, 'garbage\n');
      await assert.rejects(
        async () => ipMatch.build(config, testContext('origin_fills', 'ip_match')),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.deepEqual(err.problems, [{ path: 'transforms.origin_fills.ranges_file', message: `${file}: line 1: "garbage" is not an IPv4 or IPv6 address range`, severity: 'error' }]);
          return true;
        },
      );
    } finally {
      dir.cleanup();
    }
  });
});
