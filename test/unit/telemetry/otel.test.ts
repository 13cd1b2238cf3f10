/**
 * Self-telemetry: when it is on (config or OTEL_* variables), sink batches and requests become
 * spans and edgetail's own metrics are mirrored over OTLP; when off, the SDK is never loaded.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openTelemetrySelfSchema } from '../../../src/config/schema.js';
import { selfTelemetryEnabled, startSelfTelemetry } from '../../../src/telemetry/otel.js';
import { Telemetry } from '../../../src/telemetry/metrics.js';
import { deliveryTracer } from '../../../src/delivery/tracing.js';
import { SinkRunner } from '../../../src/delivery/runner.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { FakeDriver, events, sinkConfig } from '../delivery/fakes.js';
import { tempDir, waitFor } from '../../helpers/context.js';

const cfg = (x: Record<string, unknown> = {}) => openTelemetrySelfSchema.parse(x);

describe('self-telemetry switch', () => {
  test('off by default; on by config or by an OTLP endpoint variable; OTEL_SDK_DISABLED wins', () => {
    assert.equal(selfTelemetryEnabled(cfg(), {}), false);
    assert.equal(selfTelemetryEnabled(undefined, {}), false);
    assert.equal(selfTelemetryEnabled(cfg({ enabled: true }), {}), true);
    assert.equal(selfTelemetryEnabled(cfg(), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), true);
    assert.equal(selfTelemetryEnabled(cfg(), { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }), true);
    assert.equal(selfTelemetryEnabled(cfg({ enabled: false }), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }), false);
    assert.equal(selfTelemetryEnabled(cfg({ enabled: true }), { OTEL_SDK_DISABLED: 'true' }), false);
    assert.equal(selfTelemetryEnabled(cfg(), { OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }), false);
  });

  test('off: nothing is started and no tracer is installed', async () => {
    assert.equal(await startSelfTelemetry(cfg(), {}, new Telemetry(false), silentLogger()), undefined);
    assert.equal(deliveryTracer(), undefined);
  });
});

interface Span { name: string; parentSpanId?: string; spanId: string; attributes: Record<string, unknown>; status?: { code?: number } }

describe('self-telemetry on, against an OTLP/JSON receiver', () => {
  test('a retried batch: one batch span with a request span per attempt; metrics mirrored', async () => {
    const bodies: Record<string, unknown[]> = { '/v1/traces': [], '/v1/metrics': [] };
    const headersSeen: string[] = [];
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (d: Buffer) => (b += d.toString()));
      req.on('end', () => {
        headersSeen.push(String(req.headers['x-tenant']));
        bodies[req.url ?? '']?.push(JSON.parse(b));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const telemetry = new Telemetry(false);
    const dir = tempDir();
    const self = await startSelfTelemetry(cfg({ enabled: true, endpoint: url, protocol: 'http/json', headers: { 'x-tenant': 't1' }, export_interval_secs: 3600 }), {}, telemetry, silentLogger());
    try {
      assert.ok(self && deliveryTracer());
      const ctx = { id: 'out', type: 'fake', dataDir: dir.path, logger: silentLogger(), metrics: telemetry.component('out', 'fake', 'sink') };
      const driver = new FakeDriver((_p, attempt) => (attempt === 0 ? { kind: 'retryable', reason: 'HTTP 503' } : { kind: 'ok' }));
      const runner = new SinkRunner({ id: 'out', type: 'fake', config: sinkConfig({ batch: { timeout_secs: 0.01 } }), driver, ctx, timing: { sleep: async () => {} } });
      await runner.start();
      await runner.accept(events('e', 4));
      await waitFor(() => driver.delivered.length === 4, 'delivery');
      await runner.drain(1000);
    } finally {
      await self?.shutdown(); // flushes spans and a last metrics export
      await new Promise((r) => { server.closeAllConnections(); server.close(r); });
      dir.cleanup();
    }
    assert.equal(deliveryTracer(), undefined);
    const spans: Span[] = [];
    for (const body of bodies['/v1/traces']! as Array<{ resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Span & { attributes: Array<{ key: string; value: Record<string, unknown> }> }> }> }> }>) {
      for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) {
        spans.push({ ...s, attributes: Object.fromEntries(s.attributes.map((a) => [a.key, Object.values(a.value)[0]])) });
      }
    }
    const batch = spans.filter((s) => s.name === 'edgetail.sink.batch');
    const reqs = spans.filter((s) => s.name === 'edgetail.sink.request');
    assert.equal(batch.length, 1);
    assert.equal(batch[0]!.attributes['edgetail.component_id'], 'out');
    assert.equal(Number(batch[0]!.attributes['edgetail.batch.events']), 4);
    assert.equal(batch[0]!.attributes['edgetail.batch.outcome'], 'delivered');
    assert.deepEqual(reqs.map((r) => [Number(r.attributes['edgetail.attempt']), r.attributes['edgetail.outcome'], r.parentSpanId === batch[0]!.spanId]), [[0, 'retryable', true], [1, 'ok', true]]);
    assert.equal(reqs[0]!.status?.code, 2); // STATUS_CODE_ERROR
    const names = new Set<string>();
    for (const body of bodies['/v1/metrics']! as Array<{ resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<{ name: string; sum?: { dataPoints: Array<{ asDouble?: number; attributes: Array<{ key: string; value: { stringValue: string } }> }> } }> }> }> }>) {
      for (const rm of body.resourceMetrics) for (const sm of rm.scopeMetrics) for (const m of sm.metrics) {
        names.add(m.name);
        if (m.name === 'edgetail_component_sent_events_total') {
          const p = m.sum!.dataPoints.find((d) => d.attributes.some((a) => a.key === 'component_id' && a.value.stringValue === 'out'))!;
          assert.equal(p.asDouble, 4);
        }
      }
    }
    for (const n of ['edgetail_component_received_events_total', 'edgetail_component_sent_events_total', 'edgetail_sink_retries_total', 'edgetail_sink_request_duration_seconds']) assert.ok(names.has(n), n);
    assert.ok(headersSeen.every((h) => h === 't1'), headersSeen.join(','));
  });
});
