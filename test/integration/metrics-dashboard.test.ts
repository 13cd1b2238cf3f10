/**
 * A real `edgetail run` (compiled CLI) of a Kafka-free pipeline — file source → filter → http sink
 * with a disk buffer — and its GET /metrics scrape:
 * 1. every component shows every contract metric of DESIGN.md (by component_id/component_type);
 * 2. every metric a query of dashboards/grafana/edgetail.json uses exists in that scrape, except the
 *    ones listed here as Kafka-only, which must be registered by src/telemetry/metrics.ts instead.
 * Run `npm run build` first.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiAddress, repoRoot, startEdgetail, type Running } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/context.js';
import { startReceiver, type Receiver } from '../helpers/http-receiver.js';
import { Telemetry } from '../../src/telemetry/metrics.js';

/** Metrics only a kafka source reports (checked against the registrations, not the scrape). */
const KAFKA_ONLY = ['edgetail_kafka_consumer_lag_messages'];

/** Five edge log lines (statuses 200, 200, 206, 200, 404); the filter passes status < 400. */
const SAMPLE = join(repoRoot(), 'test', 'fixtures', 'samples', 'fastly-flat.ndjson');

/** Sample names of a text exposition → the set of series names (histograms appear as _bucket/_sum/_count). */
function seriesNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (m) out.add(m[1]!);
  }
  return out;
}

/** Every PromQL expression of the dashboard: panel targets and templating queries. */
function dashboardExprs(d: { panels: Array<{ targets?: Array<{ expr: string }>; panels?: unknown[] }>; templating: { list: Array<{ definition?: string }> } }): string[] {
  const exprs: string[] = [];
  for (const p of d.panels) for (const t of p.targets ?? []) exprs.push(t.expr);
  for (const v of d.templating.list) if (v.definition) exprs.push(v.definition);
  return exprs;
}

describe('a running pipeline: contract metrics and the Grafana dashboard', () => {
  let dir: ReturnType<typeof tempDir>;
  let rx: Receiver;
  let run: Running;
  let metrics = '';
  let expectedDelivered = 0;

  before(async () => {
    dir = tempDir();
    rx = await startReceiver();
    copyFileSync(SAMPLE, join(dir.path, 'edge.log'));
    expectedDelivered = readFileSync(SAMPLE, 'utf8').trim().split('\n').filter((l) => (JSON.parse(l) as { status: number }).status < 400).length;
    const cfg = join(dir.path, 'edgetail.yaml');
    writeFileSync(cfg, [
      `data_dir: ${join(dir.path, 'data')}`,
      'api: { address: "127.0.0.1:0" }',
      'sources:',
      `  edge: { type: file, include: ["${join(dir.path, '*.log')}"], format: fastly_json, glob_interval_ms: 100 }`,
      'transforms:',
      '  ok_only: { type: filter, inputs: [edge], condition: "status < 400" }',
      'sinks:',
      `  out: { type: http, inputs: [ok_only], uri: "${rx.url}", buffer: { type: disk, max_bytes: 10485760 }, batch: { timeout_secs: 0.2 }, healthcheck: { enabled: false } }`,
    ].join('\n'));
    run = startEdgetail(['run', '--config', cfg], { EDGETAIL_LOG: 'info' });
    const port: string = await waitFor((): string => apiAddress(run)?.split(':').pop() ?? '', 'the API to listen', 60_000);
    await waitFor(() => rx.total === expectedDelivered, `${expectedDelivered} events at the receiver`, 60_000);
    // The delivered count reaches the registry when the request settles: scrape until it shows.
    metrics = await waitFor(async (): Promise<string> => {
      const t = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return new RegExp(`edgetail_component_sent_events_total\\{component_id="out",component_type="http"\\} ${expectedDelivered}\\b`).test(t) ? t : '';
    }, 'the sink to count its deliveries', 30_000);
  });

  after(async () => {
    if (run && run.child.exitCode === null) {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    await rx?.close();
    dir?.cleanup();
  });

  test('every component lists the contract metrics of DESIGN.md', () => {
    assert.equal(expectedDelivered, 4);
    const components = [['edge', 'file', 'source'], ['ok_only', 'filter', 'transform'], ['out', 'http', 'sink']] as const;
    const contract: Array<[string, ReadonlyArray<string>]> = [
      ['edgetail_component_received_events_total', ['source', 'transform', 'sink']],
      ['edgetail_component_sent_events_total', ['source', 'transform', 'sink']],
      ['edgetail_component_discarded_events_total', ['source', 'transform', 'sink']],
      ['edgetail_component_errors_total', ['source', 'transform', 'sink']],
      ['edgetail_buffer_events', ['sink']],
      ['edgetail_buffer_bytes', ['sink']],
      ['edgetail_sink_request_duration_seconds_bucket', ['sink']],
      ['edgetail_sink_request_duration_seconds_count', ['sink']],
      ['edgetail_source_lag_seconds', ['source']],
    ];
    for (const [name, kinds] of contract) {
      for (const [id, type, kind] of components) {
        if (!kinds.includes(kind)) continue;
        assert.match(metrics, new RegExp(`^${name}\\{[^}\\n]*component_id="${id}",component_type="${type}"`, 'm'), `${name} for ${id}`);
      }
    }
    assert.match(metrics, /^edgetail_component_errors_total\{[^}\n]*component_id="out"[^}\n]*error_type="[a-z_]+",stage="[a-z_]+"/m);
    assert.match(metrics, /^edgetail_component_discarded_events_total\{[^}\n]*component_id="edge"[^}\n]*reason="[a-z_]+"/m);
    // numbers computed from the sample, not read back from the code
    assert.match(metrics, /^edgetail_component_received_events_total\{component_id="edge",component_type="file"\} 5$/m);
    assert.match(metrics, new RegExp(`^edgetail_component_sent_events_total\\{component_id="ok_only",component_type="filter"\\} ${expectedDelivered}$`, 'm'));
  });

  test('every metric the Grafana dashboard queries exists in the scrape (Kafka-only ones are registered)', () => {
    const dashboard = JSON.parse(readFileSync(join(repoRoot(), 'dashboards', 'grafana', 'edgetail.json'), 'utf8'));
    const exprs = dashboardExprs(dashboard);
    assert.ok(exprs.length >= 20, `found ${exprs.length} queries`);
    const scraped = seriesNames(metrics);
    const registered = new Set(new Telemetry(false).registry.getMetricsAsArray().map((m) => m.name));
    const used = new Set<string>();
    for (const expr of exprs) {
      const names = expr.match(/\bedgetail_[a-zA-Z0-9_:]+/g) ?? [];
      assert.ok(names.length > 0, `no edgetail metric in ${expr}`);
      for (const n of names) used.add(n);
    }
    for (const n of used) {
      if (KAFKA_ONLY.includes(n)) assert.ok(registered.has(n), `${n} (Kafka-only) is not registered by src/telemetry/metrics.ts`);
      else assert.ok(scraped.has(n), `${n} is queried by the dashboard but not in a /metrics scrape`);
    }
    for (const n of KAFKA_ONLY) assert.ok(used.has(n), `${n} is listed as Kafka-only but the dashboard does not use it`);
    // the component template variable reads a contract metric
    const component = dashboard.templating.list.find((v: { name: string }) => v.name === 'component');
    assert.match(component.definition, /label_values\(edgetail_component_received_events_total, component_id\)/);
  });
});
