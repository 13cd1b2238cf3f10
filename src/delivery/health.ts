/**
 * A sink's health as /health, /ready and /api/topology see it: unhealthy while the last
 * UNHEALTHY_AFTER_FAILURES requests in a row failed (the sink keeps retrying), or while the startup
 * healthcheck's failure has not been contradicted by a successful request.
 */
import type { Logger } from '../core/component.js';
import { DEFAULT_DISK_BUFFER_BYTES } from '../buffer/index.js';
import type { SinkBuffer } from '../buffer/types.js';
import { DEFAULT_MEMORY_BUFFER_EVENTS, type CommonSinkConfig } from './config.js';

/** Consecutive failed requests after which the sink reports unhealthy (until one succeeds). */
export const UNHEALTHY_AFTER_FAILURES = 3;

export interface SinkHealth {
  healthy: boolean;
  reason?: string;
  bufferEvents: number;
  bufferBytes: number;
  bufferFill: number;
}

export class HealthTracker {
  private consecutiveFailures = 0;
  private healthcheckError: string | undefined;
  /** The most recent failure (request or healthcheck), for /api/topology. */
  lastError: { reason: string; time: string } | undefined;

  constructor(private readonly logger: Logger) {}

  /** Undefined when healthy, else why not. */
  get problem(): string | undefined {
    if (this.consecutiveFailures >= UNHEALTHY_AFTER_FAILURES) {
      return `${this.consecutiveFailures} requests failed in a row: ${this.lastError?.reason ?? 'unknown'}`;
    }
    if (this.healthcheckError !== undefined) return `healthcheck failed: ${this.healthcheckError}`;
    return undefined;
  }

  healthcheckFailed(reason: string): void {
    this.healthcheckError = reason;
    this.lastError = { reason: `healthcheck: ${reason}`, time: new Date().toISOString() };
    this.logger.warn({ reason }, 'healthcheck failed; delivering anyway');
  }

  requestSucceeded(): void {
    if (this.problem !== undefined) this.logger.info({ after_failures: this.consecutiveFailures }, 'sink healthy again');
    this.consecutiveFailures = 0;
    this.healthcheckError = undefined;
  }

  requestFailed(reason: string): void {
    this.consecutiveFailures += 1;
    this.lastError = { reason, time: new Date().toISOString() };
    if (this.consecutiveFailures === UNHEALTHY_AFTER_FAILURES) this.logger.warn({ reason }, 'sink unhealthy: requests keep failing');
  }
}

/** The sink's health: its tracker's verdict, or a disk buffer whose writes fail (pushes wait
 *  meanwhile: the sources are back-pressured). */
export function sinkHealth(buffer: SinkBuffer, tracker: HealthTracker): SinkHealth {
  const h: SinkHealth = { healthy: true, bufferEvents: buffer.events, bufferBytes: buffer.bytes, bufferFill: buffer.fill };
  const problem = tracker.problem ?? (buffer as { problem?: string }).problem;
  if (problem !== undefined) {
    h.healthy = false;
    h.reason = problem;
  }
  return h;
}

/** The buffer block of /api/topology: what it holds and its limits (configured or default). */
export function describeBuffer(buffer: SinkBuffer, cfg: CommonSinkConfig['buffer']): Record<string, unknown> {
  return {
    type: buffer.kind,
    events: buffer.events,
    bytes: buffer.bytes,
    fill: buffer.fill,
    max_events: cfg?.max_events ?? (buffer.kind === 'memory' ? DEFAULT_MEMORY_BUFFER_EVENTS : undefined),
    max_bytes: cfg?.max_bytes ?? (buffer.kind === 'disk' ? DEFAULT_DISK_BUFFER_BYTES : undefined),
    when_full: cfg?.when_full ?? 'block',
  };
}
