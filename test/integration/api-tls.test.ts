/**
 * TLS on the API listener (api.tls → https + wss, verify_client) and on sink clients (tls.ca_file,
 * tls.verify), with a CA and certificates made by openssl in a temp dir (test/helpers/tls.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest, createServer as createHttpsServer, type Server } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { parseConfigText } from '../../src/config/load.js';
import { startInstance, type Instance } from '../../src/cli/instance.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { makeTestPki, type TestPki } from '../helpers/tls.js';

const TOKEN = 'tls-test-token-77a1';

interface Got { status?: number; body?: string; error?: string }

function get(url: string, opts: { ca?: Buffer; cert?: Buffer; key?: Buffer; headers?: Record<string, string> } = {}): Promise<Got> {
  return new Promise((resolve) => {
    const r = httpsRequest(url, { agent: false, ...opts, headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    r.on('error', (err: NodeJS.ErrnoException) => resolve({ error: `${err.code ?? ''} ${err.message}` }));
    r.end();
  });
}

function apiConfig(dir: string, pki: TestPki, tls: string): string {
  return [
    `data_dir: ${join(dir, 'data')}`,
    'api:',
    '  address: "127.0.0.1:0"',
    `  auth_token: "${TOKEN}"`,
    `  tls: { cert_file: "${pki.serverCert}", key_file: "${pki.serverKey}"${tls} }`,
    'sources:',
    '  d: { type: demo, rate: 50 }',
    'sinks:',
    '  live: { type: live, inputs: [d] }',
  ].join('\n');
}

describe('api.tls', () => {
  let dir: ReturnType<typeof tempDir>;
  let pki: TestPki;
  before(() => {
    dir = tempDir();
    pki = makeTestPki(dir.path);
  });
  after(() => dir.cleanup());

  test('https and wss with the CA; a client without it refuses the certificate', async () => {
    const inst = await startInstance(parseConfigText(apiConfig(dir.path, pki, ''), 't'), silentLogger());
    try {
      assert.equal(inst.api!.scheme, 'https');
      const base = `https://127.0.0.1:${inst.api!.address.port}`;
      const ca = pki.read(pki.caCert);
      assert.equal((await get(`${base}/health`, { ca })).status, 200);
      assert.equal((await get(`${base}/api/topology`, { ca })).status, 401);
      assert.equal((await get(`${base}/api/topology`, { ca, headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
      assert.match((await get(`${base}/health`)).error ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/);
      assert.match((await get(`${base}/health`, { ca: pki.read(pki.otherCaCert) })).error ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/);
      // Plain http on the TLS port gets no API answer.
      const plain = await fetch(`http://127.0.0.1:${inst.api!.address.port}/health`).then((r) => r.status, () => 'error');
      assert.notEqual(plain, 200);
      // wss:// /live with the token: a snapshot arrives.
      const ws = new WebSocket(`wss://127.0.0.1:${inst.api!.address.port}/live?token=${TOKEN}`, { ca });
      const first = await new Promise<{ type: string }>((resolve, reject) => {
        ws.once('message', (d) => resolve(JSON.parse(d.toString()) as { type: string }));
        ws.once('error', reject);
      });
      assert.equal(first.type, 'snapshot');
      ws.close();
    } finally {
      await inst.stop(5000);
    }
  });

  test('verify_client: no client certificate → handshake refused and counted; with one → served', async () => {
    const inst = await startInstance(parseConfigText(apiConfig(dir.path, pki, `, ca_file: "${pki.caCert}", verify_client: true`), 't'), silentLogger());
    try {
      const base = `https://127.0.0.1:${inst.api!.address.port}`;
      const ca = pki.read(pki.caCert);
      const without = await get(`${base}/health`, { ca });
      assert.equal(without.status, undefined, `answered ${without.status}`);
      assert.ok(without.error, 'the connection failed');
      const withCert = await get(`${base}/metrics`, { ca, cert: pki.read(pki.clientCert), key: pki.read(pki.clientKey), headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(withCert.status, 200);
      assert.match(withCert.body ?? '', /^edgetail_api_rejected_total\{reason="tls_handshake"\} 1$/m);
      // A certificate of the right CA but without the clientAuth usage is refused too.
      const serverOnly = await get(`${base}/health`, { ca, cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey) });
      assert.ok(serverOnly.status === undefined, 'a serverAuth-only certificate is not a client certificate');
    } finally {
      await inst.stop(5000);
    }
  });

  test('verify_client without ca_file is a config error naming api.tls.ca_file', async () => {
    await assert.rejects(startInstance(parseConfigText(apiConfig(dir.path, pki, ', verify_client: true'), 't'), silentLogger()), /api\.tls\.ca_file: verify_client needs ca_file/);
  });
});

describe('sink tls', () => {
  let dir: ReturnType<typeof tempDir>;
  let pki: TestPki;
  let server: Server;
  let lines = 0;
  before(async () => {
    dir = tempDir();
    pki = makeTestPki(dir.path);
    server = createHttpsServer({ cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey) }, (req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        lines += body.split('\n').filter((l) => l !== '').length;
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    dir.cleanup();
  });

  function sinkConfig(name: string, tls: string): string {
    const log = join(dir.path, `${name}.log`);
    writeFileSync(log, Array.from({ length: 5 }, (_, i) => `{"status":200,"request_id":"${name}${i}"}`).join('\n') + '\n');
    const port = (server.address() as AddressInfo).port;
    return [
      `data_dir: ${join(dir.path, `data-${name}`)}`,
      'api: { enabled: false }',
      'sources:',
      `  f: { type: file, include: ["${log}"], format: fastly_json }`,
      'sinks:',
      `  out: { type: http, inputs: [f], uri: "https://127.0.0.1:${port}/ingest", compression: none${tls}, request: { retry_initial_backoff_secs: 0.05, retry_max_backoff_secs: 0.2 } }`,
    ].join('\n');
  }

  test('with tls.ca_file the https receiver gets every event', async () => {
    const before = lines;
    const inst: Instance = await startInstance(parseConfigText(sinkConfig('good', `, tls: { ca_file: "${pki.caCert}" }`), 't'), silentLogger());
    try {
      await waitFor(() => lines - before >= 5, 'five lines at the https receiver');
      assert.equal(lines - before, 5);
    } finally {
      await inst.stop(5000);
    }
  });

  test('without the CA: a clear TLS error, retried, the sink unhealthy, nothing delivered, no crash', async () => {
    const before = lines;
    const inst: Instance = await startInstance(parseConfigText(sinkConfig('bad', ''), 't'), silentLogger());
    try {
      const h = await waitFor(() => {
        const s = inst.topology.health();
        return !s.ready ? s : undefined;
      }, 'the sink to turn unhealthy');
      const reason = JSON.stringify(h!.sinks.out);
      assert.match(reason, /network error UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate/);
      assert.equal(lines, before);
    } finally {
      await inst.stop(1000);
    }
  });

  test('tls.verify: false accepts the unknown certificate (documented as unsafe)', async () => {
    const before = lines;
    const inst: Instance = await startInstance(parseConfigText(sinkConfig('noverify', ', tls: { verify: false }'), 't'), silentLogger());
    try {
      await waitFor(() => lines - before >= 5, 'five lines at the https receiver');
    } finally {
      await inst.stop(5000);
    }
  });
});
