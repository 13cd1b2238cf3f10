/** The delivery layer's public API: the sink contract, common sink keys, and the runner. */
export type { SendResult, SinkDriver, SinkDef } from './types.js';
export { OK } from './types.js';
export * from './config.js';
export { SinkRunner, type SinkRunnerOptions, type RunnerState } from './runner.js';
export { UNHEALTHY_AFTER_FAILURES, HealthTracker, type SinkHealth } from './health.js';
export { AdaptiveConcurrency, FixedConcurrency, MAX_ADAPTIVE_CONCURRENCY, type ConcurrencyController, type ResponseOutcome } from './concurrency.js';
export { DeadLetterWriter, deadLetterDir } from './dead-letter.js';
export { MAX_RETRY_AFTER_MS, realTiming, retryDelayMs, raceSignal, type Timing, type BackoffPolicy } from './retry.js';
export * from './encoding.js';
export * from './compress.js';
export * from './http.js';
