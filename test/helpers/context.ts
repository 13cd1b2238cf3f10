/** Shared test scaffolding: a component context backed by a temp dir and in-memory counters. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComponentContext, ComponentMetrics } from '../../src/core/component.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import type { SinkMetrics } from '../../src/telemetry/metrics.js';

export interface CountingMetrics extends ComponentMetrics, SinkMetrics {
  counts: {
    received: number;
    sent: number;
    discarded: Record<string, number>;
    errors: Record<string, number>;
    retries: number;
    bufferEvents: number;
    bufferBytes: number;
    lag: number;
  };
}

export function countingMetrics(): CountingMetrics {
  const counts = { received: 0, sent: 0, discarded: {} as Record<string, number>, errors: {} as Record<string, number>, retries: 0, bufferEvents: 0, bufferBytes: 0, lag: 0 };
  return {
    counts,
    received: (n) => { counts.received += n; },
    sent: (n) => { counts.sent += n; },
    discarded: (n, r) => { counts.discarded[r] = (counts.discarded[r] ?? 0) + n; },
    error: (t, s) => { const k = `${t}/${s}`; counts.errors[k] = (counts.errors[k] ?? 0) + 1; },
    lag: (s) => { counts.lag = s; },
    buffer: (e, b) => { counts.bufferEvents = e; counts.bufferBytes = b; },
    requestDone: () => {},
    retried: () => { counts.retries += 1; },
    inflight: () => {},
    concurrency: () => {},
  };
}

export function tempDir(prefix = 'edgetail-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export function testContext(id = 'test', type = 'test', dataDir?: string): ComponentContext & { metrics: CountingMetrics } {
  return { id, type, dataDir: dataDir ?? tempDir().path, logger: silentLogger(), metrics: countingMetrics() };
}

/** Polls until `check` returns truthy, or fails after `timeoutMs` (generous by default). */
/** Polls `check` until it returns a truthy value, and returns that value. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000, everyMs = 25): Promise<Exclude<T, undefined | null | false | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as Exclude<T, undefined | null | false | 0 | ''>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
