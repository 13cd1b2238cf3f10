/**
 * A sink's health as /health, /ready and /api/topology see it: unhealthy while the last
 * UNHEALTHY_AFTER_FAILURES requests in a row failed (the sink keeps retrying), or while the startup
 * healthcheck's failure has not been contradicted by a successful request.
 */
import type { Logger } from '../core/component.js';

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
