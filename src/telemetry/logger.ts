/** The one structured logger (pino, JSON lines to stderr). Secrets redact themselves (Secret). */
import { pino } from 'pino';
import type { Logger } from '../core/component.js';

export function createLogger(level: string = process.env.EDGETAIL_LOG ?? 'info'): Logger {
  return pino({ level, base: { app: 'edgetail' } }, pino.destination({ fd: 2, sync: false })) as unknown as Logger;
}

/** A logger that drops everything (tests) — still type-compatible. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' }) as unknown as Logger;
}
