import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../../src/config/load.js';

const env = { HEC_TOKEN: 'tok-123', RATE: '250', EMPTY: '', HOST: 'splunk.example.com' };

test('${VAR} and ${VAR:-default} resolve inside strings, lists and nested maps', () => {
  const text = [
    'api:',
    '  fastly_api_keys: [${HEC_TOKEN}, "${MISSING:-fallback}"]',
    'sinks:',
    '  s:',
    '    endpoint: https://${HOST}:8088/x',
    '    token: ${HEC_TOKEN}',
    '    rate: ${RATE}',
    '    flag: ${MISSING_BOOL:-true}',
    '    lit: "$${NOT_A_VAR}"',
  ].join('\n');
  const r = parseConfigText(text, 't.yaml', env);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.unset, []);
  assert.deepEqual(r.tree, {
    api: { fastly_api_keys: ['tok-123', 'fallback'] },
    sinks: { s: { endpoint: 'https://splunk.example.com:8088/x', token: 'tok-123', rate: 250, flag: true, lit: '${NOT_A_VAR}' } },
  });
});

test('unset variables without default are recorded with their key path', () => {
  const r = parseConfigText('sinks:\n  s:\n    token: ${NOPE}\n    list: [a, "x${EMPTY}y"]\n', 't.yaml', env);
  assert.deepEqual(r.unset, [
    { path: 'sinks.s.token', name: 'NOPE' },
    { path: 'sinks.s.list[1]', name: 'EMPTY' },
  ]);
  assert.deepEqual(r.tree, { sinks: { s: { token: '', list: ['a', 'xy'] } } });
});

test('an environment value cannot inject YAML structure', () => {
  const r = parseConfigText('a: ${EVIL}\n', 't.yaml', { EVIL: 'x\nb: injected' });
  assert.deepEqual(r.tree, { a: 'x\nb: injected' });
});

test('YAML syntax errors name the file and position', () => {
  const r = parseConfigText('sources:\n  a: [unclosed\n', 'bad.yaml', {});
  assert.equal(r.problems.length > 0, true);
  assert.equal(r.problems[0]!.path, 'bad.yaml');
  assert.match(r.problems[0]!.message, /line \d+, column \d+/);
});

test('JSON is accepted', () => {
  const r = parseConfigText('{"data_dir": "/tmp/x", "sources": {}}', 'c.json', {});
  assert.deepEqual(r.tree, { data_dir: '/tmp/x', sources: {} });
});
