/**
 * Secrets never leak. A real pipeline (the CLI) runs with a known, distinctive value in every
 * secret-bearing key — HEC token, Datadog API key, api.auth_token, api.fastly_api_keys, S3 credentials
 * (environment and static), http sink auth + custom header, the redact HMAC key — against strict
 * receivers that reject them (403/401 → retries, dead letters) and an S3 endpoint that answers
 * InvalidAccessKeyId echoing the key id, as AWS does. Then a validation failure, a start that fails
 * (address in use) and a shutdown with dead sinks. Every output is grepped for every secret value:
 * stdout, stderr (debug logs), /api/topology, /metrics, dead-letter files, and every file under
 * data_dir (checkpoints, buffers). Needs `npm run build`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runEdgetail } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { startHecReceiver } from '../helpers/hec-receiver.js';
import { startDatadogReceiver } from '../helpers/datadog-receiver.js';
import { startReceiver } from '../helpers/http-receiver.js';
import { startWithApi } from './hostile-support.js';

const S = {
  hec: 'SEKRIT-hec-token-0b7e',
  dd: 'SEKRIT-dd-api-key-91c2',
  api: 'SEKRIT-api-token-4d8a',
  fastly: 'SEKRIT-fastly-key-6f13',
  s3EnvId: 'AKIASEKRITENV4455',
  s3EnvSecret: 'SEKRIT-s3-env-secret-c0de',
  s3Id: 'AKIASEKRITSTATIC77',
  s3Secret: 'SEKRIT-s3-static-secret-beef',
  bearer: 'SEKRIT-http-bearer-a1a1',
  header: 'SEKRIT-http-header-b2b2',
  hmac: 'SEKRIT-redact-hmac-c3c3',
};

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) filesUnder(p, out);
    else out.push(p);
  }
  return out;
}

function assertClean(what: string, text: string): void {
  for (const [k, v] of Object.entries(S)) assert.ok(!text.includes(v), `${what} contains the ${k} secret`);
}

test('no secret value appears in logs, errors, API answers, metrics, dead letters or data files', { timeout: 180_000 }, async () => {
  const dir = tempDir();
  const hec = await startHecReceiver({ tokens: ['the-right-hec-token'] });
  const dd = await startDatadogReceiver({ apiKey: 'the-right-dd-key' });
  const http = await startReceiver({ expectAuthorization: 'Bearer the-right-bearer' });
  // An S3 endpoint that refuses every key and echoes it back, as AWS's InvalidAccessKeyId does.
  const s3 = createServer((req, res) => {
    const m = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '');
    req.resume();
    req.on('end', () => {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message><AWSAccessKeyId>${m?.[1] ?? ''}</AWSAccessKeyId><RequestId>r1</RequestId></Error>`);
    });
  });
  await new Promise<void>((resolve) => s3.listen(0, '127.0.0.1', resolve));
  const s3url = `http://127.0.0.1:${(s3.address() as AddressInfo).port}`;
  const env = {
    HEC_TOKEN: S.hec, DD_KEY: S.dd, API_TOKEN: S.api, FASTLY_KEY: S.fastly,
    AWS_ACCESS_KEY_ID: S.s3EnvId, AWS_SECRET_ACCESS_KEY: S.s3EnvSecret,
    S3_ID: S.s3Id, S3_SECRET: S.s3Secret, HTTP_BEARER: S.bearer, HTTP_HEADER: S.header, HMAC_KEY: S.hmac,
  };
  const retry = 'request: { retry_initial_backoff_secs: 0.05, retry_max_backoff_secs: 0.2, retry_max_duration_secs: 2 }';
  const body = (api: string) => [
    `data_dir: ${join(dir.path, 'data')}`,
    `api: { address: "${api}", auth_token: "\${API_TOKEN}", fastly_api_keys: ["\${FASTLY_KEY}"] }`,
    'sources:',
    '  d: { type: demo, rate: 200 }',
    'transforms:',
    '  priv: { type: redact, inputs: [d], client_ip: { mode: hash, key: "${HMAC_KEY}" } }',
    'sinks:',
    `  hec: { type: splunk_hec_logs, inputs: [priv], endpoint: "${hec.url}", token: "\${HEC_TOKEN}", ${retry} }`,
    `  dd: { type: datadog_logs, inputs: [priv], endpoint: "${dd.url}", api_key: "\${DD_KEY}", ${retry} }`,
    `  web: { type: http, inputs: [priv], uri: "${http.url}/ingest", auth: { strategy: bearer, token: "\${HTTP_BEARER}" }, headers: { X-Api-Key: "\${HTTP_HEADER}" }, buffer: { type: disk, max_bytes: 10485760 }, ${retry} }`,
    `  s3env: { type: aws_s3, inputs: [priv], bucket: edge-logs, region: us-east-1, endpoint: "${s3url}", force_path_style: true, batch: { timeout_secs: 0.2 }, ${retry} }`,
    `  s3static: { type: aws_s3, inputs: [priv], bucket: edge-logs, region: us-east-1, endpoint: "${s3url}", force_path_style: true, auth: { access_key_id: "\${S3_ID}", secret_access_key: "\${S3_SECRET}" }, batch: { timeout_secs: 0.2 }, ${retry} }`,
    '  live: { type: live, inputs: [priv] }',
  ].join('\n');
  const config = join(dir.path, 'edgetail.yaml');
  writeFileSync(config, body('127.0.0.1:0'));
  const closeAll = () => Promise.all([hec.close(), dd.close(), http.close(), new Promise<void>((r) => s3.close(() => r()))]);
  const started = await startWithApi(config, { ...env, EDGETAIL_LOG: 'debug' }).catch(async (err: unknown) => {
    await closeAll();
    dir.cleanup();
    throw err;
  });
  const { run, port } = started;
  const outputs: Array<[string, () => string]> = [['stdout', run.stdout], ['stderr', run.stderr]];
  try {
    const auth = { authorization: `Bearer ${S.api}` };
    // Every rejecting sink has dead-lettered something (retries exhausted or permanent 4xx).
    await waitFor(() => {
      try {
        return ['hec', 'dd', 'web', 's3env', 's3static'].every((s) => readdirSync(join(dir.path, 'data', 'dead_letter', s)).length > 0);
      } catch {
        return false;
      }
    }, 'dead letters from every rejecting sink', 120_000);
    assert.ok(hec.log.length > 0 && dd.requests.length > 0 && http.requests > 0, 'each receiver was contacted');
    const topology = await (await fetch(`http://127.0.0.1:${port}/api/topology`, { headers: auth })).text();
    assert.match(topology, /hec/);
    assertClean('/api/topology', topology);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: auth })).text();
    assert.match(metrics, /edgetail_component_errors_total/);
    assertClean('/metrics', metrics);
    const rt = await (await fetch(`http://127.0.0.1:${port}/v1/channel/x/ts/0`, { headers: { 'fastly-key': 'wrong' } })).text();
    assertClean('/v1/channel answer', rt);

    // A second instance on the same port fails to start: its error output is clean too.
    const clash = join(dir.path, 'clash.yaml');
    writeFileSync(clash, body(`127.0.0.1:${port}`).replace(`data_dir: ${join(dir.path, 'data')}`, `data_dir: ${join(dir.path, 'data2')}`));
    const failed = await runEdgetail(['run', '--config', clash], { ...env, EDGETAIL_LOG: 'debug' });
    assert.notEqual(failed.code, 0);
    assert.match(failed.stderr, /EADDRINUSE/);
    outputs.push(['failed start stdout', () => failed.stdout], ['failed start stderr', () => failed.stderr]);

    // A validation failure with the secrets set (and some in the wrong place).
    const bad = join(dir.path, 'bad.yaml');
    writeFileSync(bad, body('127.0.0.1:0').replace('token: "${HEC_TOKEN}"', 'token: "${HEC_TOKEN}", tokn: "${HEC_TOKEN}"').replace('api_key: "${DD_KEY}"', 'api_key: "${DD_KEY}", site: "${DD_KEY}"').replace('X-Api-Key: "${HTTP_HEADER}"', '"X Api Key": "${HTTP_HEADER}"'));
    const invalid = await runEdgetail(['validate', '--config', bad], env);
    assert.equal(invalid.code, 78, invalid.stderr);
    assert.match(invalid.stderr, /sinks\.hec\.tokn: unknown key/);
    outputs.push(['validate stdout', () => invalid.stdout], ['validate stderr', () => invalid.stderr]);
  } finally {
    // Shutdown with sinks that still fail: its logs are grepped too.
    run.child.kill('SIGTERM');
    await run.exited;
    await closeAll();
  }
  try {
    for (const [what, text] of outputs) assertClean(what, text());
    // The rejections happened and were logged (so the grep above looked at real error paths).
    for (const re of [/InvalidAccessKeyId/, /HEC code 4 \(HTTP 403\): invalid token/, /"component_id":"web".*HTTP 401/, /"component_id":"dd".*HTTP 403/]) assert.match(run.stderr(), re);
    const files = filesUnder(join(dir.path, 'data'));
    assert.ok(files.some((f) => f.includes('dead_letter')));
    for (const f of files) assertClean(f, readFileSync(f).toString('latin1'));
  } finally {
    dir.cleanup();
  }
});
