/**
 * Self-telemetry over OTLP (off by default). Decides from the config and the standard OTEL_*
 * variables whether it is on, and only then loads the OpenTelemetry SDK (./otel-sdk.ts): when off,
 * nothing of @opentelemetry/* is imported and the delivery runner's tracing hook stays unset.
 *
 * On when `telemetry.opentelemetry.enabled: true`, or when `enabled` is unset and one of
 * OTEL_EXPORTER_OTLP_ENDPOINT / _TRACES_ENDPOINT / _METRICS_ENDPOINT is set. OTEL_SDK_DISABLED=true
 * turns it off whatever the config says (the SDK's own kill switch).
 */
import type { Logger } from '../core/component.js';
import type { OpenTelemetrySelfConfig } from '../config/schema.js';
import type { Telemetry } from './metrics.js';

export interface SelfTelemetry {
  /** Flushes pending spans and metrics, then stops exporting. */
  shutdown(): Promise<void>;
}

export type Env = Record<string, string | undefined>;

const ENDPOINT_VARS = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'];

export function selfTelemetryEnabled(cfg: OpenTelemetrySelfConfig | undefined, env: Env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  if (cfg?.enabled !== undefined) return cfg.enabled;
  return ENDPOINT_VARS.some((v) => (env[v] ?? '').trim() !== '');
}

export async function startSelfTelemetry(cfg: OpenTelemetrySelfConfig | undefined, env: Env, telemetry: Telemetry, logger: Logger): Promise<SelfTelemetry | undefined> {
  if (!selfTelemetryEnabled(cfg, env)) return undefined;
  const { startOtelSdk } = await import('./otel-sdk.js');
  return startOtelSdk(cfg ?? { headers: {}, traces: true, metrics: true, export_interval_secs: 60 }, env, telemetry, logger);
}
