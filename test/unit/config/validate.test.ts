import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigText } from '../../../src/config/load.js';
import { validateConfig } from '../../../src/config/validate.js';
import { Secret } from '../../../src/core/secret.js';

const problemsOf = async (yaml: string, mode: 'validate' | 'run' = 'validate', env: NodeJS.ProcessEnv = {}) =>
  (await validateConfig(parseConfigText(yaml, 't.yaml', env), mode)).problems.map((p) => `${p.severity} ${p.path}: ${p.message}`);

const ok = `
sources:
  edge: { type: file, include: [/tmp/x.log] }
sinks:
  out: { type: http, inputs: [edge], uri: "http://127.0.0.1:9/x", auth: { strategy: bearer, token: "\${TOKEN}" } }
`;

test('a valid config validates, with secrets loaded as Secret values', async () => {
  const r = await validateConfig(parseConfigText(ok, 't.yaml', { TOKEN: 'abc' }), 'run');
  assert.deepEqual(r.problems, []);
  const sink = r.config!.components.find((c) => c.id === 'out')!;
  assert.ok((sink.config.auth as { token: unknown }).token instanceof Secret);
  assert.equal(r.config!.api.address, '127.0.0.1:8686');
});

test('an unset ${VAR} for a required secret: warning in validate, error in run, named by key path', async () => {
  assert.deepEqual(await problemsOf(ok, 'validate'), ['warning sinks.out.auth.token: required (a non-empty secret) (environment variable TOKEN is not set)']);
  assert.deepEqual(await problemsOf(ok, 'run'), ['error sinks.out.auth.token: required (a non-empty secret) (environment variable TOKEN is not set)']);
});

test('unknown types, unknown keys, duplicate ids and bad values are all reported at once', async () => {
  const got = await problemsOf(`
api: { adress: "127.0.0.1:1" }
sources:
  a: { type: nope }
  b: { type: file, include: [/x], max_line_bytes: 0 }
transforms:
  b: { type: filter, inputs: [a], condition: "status >" }
sinks:
  s: { type: blackhole, inputs: [a, b] }
`);
  assert.deepEqual(got, [
    'error api.adress: unknown key',
    'error sources.b.max_line_bytes: expected a positive integer',
    'error sources.a.type: unknown source type "nope" (known: demo, fastly_realtime, file, http_server, internal_metrics, kafka, prometheus_scrape, syslog)',
    'error transforms.b: id "b" is already used by sources.b; ids are unique across sources, transforms and sinks',
  ].sort((x, y) => x.slice(6).localeCompare(y.slice(6))));
});

test('a config without sources and sinks says so', async () => {
  assert.deepEqual(await problemsOf('data_dir: /tmp/x\n'), ['error sinks: at least one sink is required', 'error sources: at least one source is required']);
});

test('an unknown key stays an error in validate even when its value is an unset ${VAR} (found by test/fuzz)', async () => {
  assert.deepEqual(await problemsOf('api: { tokn: "${NOPE}" }\n' + ok, 'validate', { TOKEN: 'abc' }), [
    'error api.tokn: unknown key',
    'warning api.tokn: environment variable NOPE is not set (empty value used)',
  ]);
});

test('an empty key is named `""`; a YAML alias to an unknown anchor is a problem, not a crash (found by test/fuzz)', async () => {
  assert.deepEqual(await problemsOf('"": 1\n' + ok, 'run', { TOKEN: 'abc' }), ['error "": unknown key']);
  const got = await problemsOf('a: *nope\n', 'run');
  assert.equal(got.filter((p) => p.startsWith('error t.yaml: ')).length, 1);
  assert.ok(got.some((p) => /^error t\.yaml: Unresolved alias/.test(p)), got.join('\n'));
});
