/** api.allowed_origins: strict by default (no CORS headers, foreign /live Origin refused); listed origins get CORS and /live. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { parseConfigText } from '../../src/config/load.js';
import { startInstance } from '../../src/cli/instance.js';
import { validateConfig } from '../../src/config/validate.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { tempDir } from '../helpers/context.js';

const TOKEN = 'origins-token-31';
const OPS = 'https://ops.example.com';

function yaml(dir: string, origins: string): string {
  return [`data_dir: ${join(dir, 'data')}`, `api: { address: "127.0.0.1:0", auth_token: "${TOKEN}"${origins} }`, 'sources:', '  d: { type: demo, rate: 20 }', 'sinks:', '  live: { type: live, inputs: [d] }'].join('\n');
}

function upgrade(port: number, origin: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/live?token=${TOKEN}`, { origin });
    ws.once('open', () => { ws.close(); resolve(101); });
    ws.once('unexpected-response', (_q, res) => resolve(res.statusCode!));
    ws.once('error', () => resolve(0));
  });
}

test('default: no CORS headers for any origin, preflights refused, foreign /live origins refused, same origin allowed', async () => {
  const dir = tempDir();
  const inst = await startInstance(parseConfigText(yaml(dir.path, ''), 't'), silentLogger());
  try {
    const port = inst.api!.address.port;
    const r = await fetch(`http://127.0.0.1:${port}/api/topology`, { headers: { authorization: `Bearer ${TOKEN}`, origin: OPS } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    const pre = await fetch(`http://127.0.0.1:${port}/api/topology`, { method: 'OPTIONS', headers: { origin: OPS, 'access-control-request-method': 'GET' } });
    assert.equal(pre.status, 403);
    assert.equal(await upgrade(port, OPS), 403);
    assert.equal(await upgrade(port, `http://127.0.0.1:${port}`), 101);
  } finally {
    await inst.stop(5000);
    dir.cleanup();
  }
});

test('listed origins: CORS on /api, /metrics and the rt API, preflight 204, /live accepted; others still refused', async () => {
  const dir = tempDir();
  const inst = await startInstance(parseConfigText(yaml(dir.path, `, allowed_origins: ["${OPS}"]`), 't'), silentLogger());
  try {
    const port = inst.api!.address.port;
    for (const path of ['/api/topology', '/metrics']) {
      const r = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${TOKEN}`, origin: OPS } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-origin'), OPS);
      assert.equal(r.headers.get('vary'), 'Origin');
    }
    const rt = await fetch(`http://127.0.0.1:${port}/v1/channel/x/ts/h`, { headers: { 'fastly-key': 'wrong', origin: OPS } });
    assert.equal(rt.status, 403);
    assert.equal(rt.headers.get('access-control-allow-origin'), OPS);
    const pre = await fetch(`http://127.0.0.1:${port}/api/topology`, { method: 'OPTIONS', headers: { origin: OPS, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    assert.equal(pre.status, 204);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/);
    const other = await fetch(`http://127.0.0.1:${port}/api/topology`, { headers: { authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    assert.equal(await upgrade(port, OPS), 101);
    assert.equal(await upgrade(port, 'https://evil.example'), 403);
  } finally {
    await inst.stop(5000);
    dir.cleanup();
  }
});

test('api.allowed_origins entries must be origins (scheme://host[:port]) or *', async () => {
  const problems = (await validateConfig(parseConfigText(yaml('/tmp', ', allowed_origins: ["ops.example.com", "https://ok.example:8443", "*"]'), 't'), 'run')).problems;
  assert.deepEqual(problems.map((p) => `${p.path}: ${p.message}`), ['api.allowed_origins[0]: expected an origin (https://host[:port]) or *']);
});
