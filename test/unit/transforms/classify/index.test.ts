import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, USER_AGENT_RULES } from '../../../../src/transforms/classify/index.js';
import type { LogEvent } from '../../../../src/core/event.js';
import { build, log, metric, problems, run } from '../events.js';

const uaConfig = { field: 'user_agent', target: 'client_kind', rules: USER_AGENT_RULES };

async function kinds(uas: Array<string | undefined>): Promise<unknown[]> {
  const { transform } = await build(classify, uaConfig);
  const out = run(transform, uas.map((ua) => log(ua === undefined ? {} : { user_agent: ua }))) as LogEvent[];
  return out.map((e) => e.fields.client_kind);
}

describe('classify with USER_AGENT_RULES', () => {
  test('CI systems', async () => {
    assert.deepEqual(
      await kinds(['GitHub-Actions/2.308 curl/8.1', 'actions/setup-go', 'gitlab-runner 16.2.0 (16-2-stable; go1.20.5; linux/amd64)', 'Jenkins/2.414', 'Buildkite-Agent/3.50', 'CircleCI/1.0', 'Azure-Pipelines/1.0']),
      ['ci', 'ci', 'ci', 'ci', 'ci', 'ci', 'ci'],
    );
  });

  test('command line tools', async () => {
    assert.deepEqual(
      await kinds(['curl/7.68.0', 'Wget/1.21.2', 'kubectl/v1.27.4 (linux/amd64) kubernetes/fa3d799', 'Helm/3.12.0', 'Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.1', 'aws-cli/2.13.0 Python/3.11.4 Linux/5.15 botocore/2.4.5']),
      ['cli', 'cli', 'cli', 'cli', 'cli', 'cli'],
    );
  });

  test('browsers', async () => {
    assert.deepEqual(
      await kinds([
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/115.0',
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 13_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.5 Safari/605.1.15',
        'Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0',
      ]),
      ['browser', 'browser', 'browser'],
    );
  });

  test('bots, even when they claim to be Mozilla', async () => {
    assert.deepEqual(
      await kinds(['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Mozilla/5.0 (compatible; bingbot/2.0)', 'SomeCrawler/1.0', 'Baiduspider']),
      ['bot', 'bot', 'bot', 'bot'],
    );
  });

  test('libraries', async () => {
    assert.deepEqual(
      await kinds(['Go-http-client/1.1', 'python-requests/2.31.0', 'okhttp/4.11.0', 'Java/17.0.7', 'aws-sdk-go/1.44.300 (go1.20.5; linux; amd64)', 'Apache-HttpClient/4.5.14 (Java/17)']),
      ['library', 'library', 'library', 'library', 'library', 'library'],
    );
  });

  test('anything else, and a missing user agent, is other', async () => {
    assert.deepEqual(await kinds(['Fastly', '', 'MyTool/1.0', undefined]), ['other', 'other', 'other', 'other']);
  });
});

describe('classify', () => {
  const rules = [
    { pattern: '^/release/', value: 'release' },
    { pattern: '\\.exe$', value: 'windows' },
    { pattern: '^/', value: 'path' },
  ];

  test('rules are ordered: the first match wins', async () => {
    const { transform } = await build(classify, { field: 'path', target: 'kind', rules });
    const out = run(transform, [log({ path: '/release/x.exe' }), log({ path: '/x.exe' }), log({ path: '/x' }), log({ path: 'x' })]) as LogEvent[];
    assert.deepEqual(out.map((e) => e.fields.kind), ['release', 'windows', 'path', 'other']);
  });

  test('default and case sensitivity are configurable', async () => {
    const cs = await build(classify, { field: 'ua', target: 'k', rules: [{ pattern: '^curl/', value: 'cli' }], case_insensitive: false, default: 'unknown' });
    assert.deepEqual((run(cs.transform, [log({ ua: 'CURL/8' }), log({ ua: 'curl/8' })]) as LogEvent[]).map((e) => e.fields.k), ['unknown', 'cli']);
    const ci = await build(classify, { field: 'ua', target: 'k', rules: [{ pattern: '^curl/', value: 'cli' }] });
    assert.deepEqual((run(ci.transform, [log({ ua: 'CURL/8' })]) as LogEvent[]).map((e) => e.fields.k), ['cli']);
  });

  test('the same value classifies the same way across batches (cached); non-strings get the default', async () => {
    const { transform } = await build(classify, { field: 'path', target: 'kind', rules });
    for (let i = 0; i < 3; i++) {
      const out = run(transform, [log({ path: '/release/a' }), log({ path: 7 })]) as LogEvent[];
      assert.deepEqual(out.map((e) => e.fields.kind), ['release', 'other']);
    }
  });

  test('mutates in place, metric events untouched', async () => {
    const { transform } = await build(classify, { field: 'path', target: 'kind', rules });
    assert.equal(transform.mutates, true);
    const m = metric('x', 1, { path: '/release/a' });
    run(transform, [m]);
    assert.deepEqual(m.tags, { path: '/release/a' });
  });

  test('schema: each rule pattern is compiled, with its key path', () => {
    const p = problems(classify, { field: 'a', target: 'b', rules: [{ pattern: 'ok', value: 'x' }, { pattern: '(', value: 'y' }] });
    assert.equal(p.length, 1);
    assert.match(p[0]!, /^rules\.1\.pattern: invalid regular expression/);
    assert.match(problems(classify, { field: 'a', target: 'b', rules: [] })[0]!, /^rules: expected at least one rule/);
    assert.equal(problems(classify, { field: 'a', target: 'b', rules: [{ pattern: 'a', value: 'b', extra: 1 }] }).length, 1);
  });
});
