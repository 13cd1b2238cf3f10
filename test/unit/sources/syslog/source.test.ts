import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { syslogSourceSchema } from '../../../../src/sources/syslog/config.js';
import { SyslogSource } from '../../../../src/sources/syslog/source.js';
import { getFormat } from '../../../../src/formats/index.js';
import { emitHarness, type EmitHarness } from '../emit-harness.js';
import { waitFor } from '../../../helpers/context.js';

const C1 = '<134>2023-07-24T16:00:00Z cache-iad-kiad7000025 k8s[1]: {"status":200,"path":"/a"}';
const C2 = '<134>1 2023-07-24T16:00:04.250Z cache-gru-sbgr1230 k8s 95219 - - {"status":404,"path":"/b"}';
const C3 = "<34>Oct 11 22:14:15 mymachine su: 'su root' failed";

function octet(...msgs: string[]): string {
  return msgs.map((m) => `${Buffer.byteLength(m)} ${m}`).join('');
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

function closed(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed) return resolve();
    s.on('error', () => {});
    s.once('close', () => resolve());
  });
}

describe('syslog source', () => {
  const sources: SyslogSource[] = [];
  after(async () => {
    for (const s of sources) await s.close();
  });
  async function boot(h: EmitHarness, extra: Record<string, unknown> = {}) {
    const config = syslogSourceSchema.parse({ type: 'syslog', address: '127.0.0.1:0', ...extra });
    const src = new SyslogSource(config, h.ctx, getFormat(config.format));
    await src.start();
    sources.push(src);
    return { src, port: Number(String(src.describe().address).split(':').pop()) };
  }

  test('TCP newline framing: classic, RFC 5424, RFC 3164, and a malformed line kept', async () => {
    const h = emitHarness('sys', 'syslog');
    const { port, src } = await boot(h);
    const s = await open(port);
    s.end(`${C1}\n${C2}\r\n${C3}\nnot syslog at all\n`);
    await waitFor(() => h.events().length === 4, 'four events');
    const ev = h.events();
    assert.equal(ev[0]!.fields.status, 200);
    assert.equal(ev[0]!.fields.pop, 'IAD');
    assert.equal(ev[0]!.timestamp, Date.UTC(2023, 6, 24, 16, 0, 0));
    assert.equal(ev[1]!.fields.status, 404);
    assert.equal(ev[1]!.timestamp, Date.UTC(2023, 6, 24, 16, 0, 4, 250));
    assert.equal(ev[2]!.fields.message, "'su root' failed");
    assert.equal(ev[3]!.fields.parse_error, 'missing syslog <priority>');
    assert.equal(ev[3]!.raw, 'not syslog at all');
    assert.equal(h.metrics.counts.received, 4);
    assert.equal(h.metrics.counts.errors['parse_failed/processing'], 1);
    assert.equal(new Set(ev.map((e) => e.id)).size, 4);
    assert.deepEqual((src.describe().framing as Record<string, number>).newline, 1);
  });

  test('TCP octet counting, oversize message truncated and counted, connection kept', async () => {
    const h = emitHarness('sys', 'syslog');
    const { port, src } = await boot(h, { max_message_bytes: 100 });
    const long = `<134>2023-07-24T16:00:00Z cache-iad-kiad7000025 k8s[1]: ${'m'.repeat(200)}`;
    const s = await open(port);
    s.write(octet(C1, long));
    s.end(octet(C2));
    await waitFor(() => h.events().length === 3, 'three events');
    const ev = h.events();
    assert.equal(ev[0]!.fields.path, '/a');
    assert.equal(ev[1]!.raw!.length, 100);
    assert.equal(ev[1]!.raw, long.slice(0, 100));
    assert.equal(ev[2]!.fields.path, '/b');
    assert.equal(h.metrics.counts.errors['message_truncated/receiving'], 1);
    assert.deepEqual((src.describe().framing as Record<string, number>).octet_counting, 1);
  });

  test('invalid octet count closes the connection, counted; earlier frames kept', async () => {
    const h = emitHarness('sys', 'syslog', 'delivered');
    const { port } = await boot(h, { framing: 'octet_counting' });
    const s = await open(port);
    s.write(octet(C1) + 'xx garbage');
    await closed(s);
    await waitFor(() => h.metrics.counts.errors['invalid_framing/receiving'] === 1, 'counted');
    assert.equal(h.events().length, 1);
  });

  test('backpressure: while emit is pending the socket is paused, nothing is lost', async () => {
    const h = emitHarness('sys', 'syslog');
    let gate: (() => void) | undefined;
    const emit = h.ctx.emit;
    h.ctx.emit = async (events, fin) => {
      await new Promise<void>((r) => (gate = r));
      return emit(events, fin);
    };
    const { port } = await boot(h);
    const s = await open(port);
    const lines = Array.from({ length: 2000 }, (_, i) => `<134>2023-07-24T16:00:00Z cache-iad1 k[1]: {"status":200,"path":"/${i}"}\n`).join('');
    s.end(lines);
    for (let n = 0; n < 200 && h.events().length < 2000; n++) {
      await waitFor(() => gate !== undefined, 'an emit waiting');
      const g = gate!;
      gate = undefined;
      g();
      await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => h.events().length === 2000, 'all 2000');
    assert.deepEqual(h.events().map((e) => e.fields.path), Array.from({ length: 2000 }, (_, i) => `/${i}`));
  });

  test('idle connections are closed; max_connections drops the extra ones', async () => {
    const h = emitHarness('sys', 'syslog');
    const { port, src } = await boot(h, { idle_timeout_secs: 0.2, max_connections: 1 });
    const a = await open(port);
    await waitFor(() => src.describe().connections === 1, 'accepted');
    const b = await open(port);
    await closed(b);
    await waitFor(() => h.metrics.counts.errors['connection_limit/receiving'] === 1, 'drop counted');
    await closed(a);
    assert.equal(h.metrics.counts.errors['idle_timeout/receiving'], 1);
  });

  test('UDP: one message per datagram (or several lines), batched', async () => {
    const h = emitHarness('sys', 'syslog');
    const { port } = await boot(h, { mode: 'udp', max_message_bytes: 100 });
    const client = createSocket('udp4');
    try {
      const sendDgram = (m: string) => new Promise<void>((r, j) => client.send(m, port, '127.0.0.1', (e) => (e ? j(e) : r())));
      await sendDgram(C1);
      await sendDgram(`${C2}\n${C3}\n`);
      await sendDgram('z'.repeat(300));
      await waitFor(() => h.events().length === 4, 'four events');
      const byRaw = new Set(h.events().map((e) => e.raw));
      assert.ok(byRaw.has(C1) && byRaw.has(C2) && byRaw.has(C3) && byRaw.has('z'.repeat(100)));
      assert.equal(h.metrics.counts.errors['message_truncated/receiving'], 1);
    } finally {
      client.close();
    }
  });

  test('UDP: beyond max_pending_events while downstream is busy, datagrams are discarded and counted', async () => {
    const h = emitHarness('sys', 'syslog');
    let release: (() => void) | undefined;
    const emit = h.ctx.emit;
    h.ctx.emit = async (events, fin) => {
      await new Promise<void>((r) => (release = r));
      return emit(events, fin);
    };
    const { port, src } = await boot(h, { mode: 'udp', max_pending_events: 5, max_batch_events: 2, flush_interval_secs: 30 });
    const client = createSocket('udp4');
    try {
      const sendDgram = (m: string) => new Promise<void>((r, j) => client.send(m, port, '127.0.0.1', (e) => (e ? j(e) : r())));
      await sendDgram(C1);
      await sendDgram(C1);
      await waitFor(() => release !== undefined, 'first batch held downstream');
      for (let i = 0; i < 10; i++) await sendDgram(C1);
      await waitFor(() => h.metrics.counts.received + (h.metrics.counts.discarded.backpressure ?? 0) === 12, 'all 12 accounted for', 10_000);
      assert.equal(h.metrics.counts.received, 7); // 2 in flight + 5 pending
      assert.equal(h.metrics.counts.discarded.backpressure, 5);
      h.ctx.emit = emit;
      release!();
      await src.stop();
      assert.equal(h.events().length, 7);
    } finally {
      client.close();
    }
  });

  test('config: TLS needs tcp; verify_client needs ca_file', () => {
    const r = syslogSourceSchema.safeParse({ type: 'syslog', address: '127.0.0.1:514', mode: 'udp', tls: { cert_file: 'c', key_file: 'k' } });
    assert.equal(r.success, false);
    assert.deepEqual(r.error!.issues[0]!.path, ['tls']);
    const r2 = syslogSourceSchema.safeParse({ type: 'syslog', address: '127.0.0.1:514', tls: { cert_file: 'c', key_file: 'k', verify_client: true } });
    assert.deepEqual(r2.error!.issues[0]!.path, ['tls', 'ca_file']);
  });
});
