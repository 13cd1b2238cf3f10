/**
 * One catalogue of errors with stable codes. `retryable` tells the delivery layer whether trying
 * again can help. docs/errors.md documents every code (test/unit/core/errors.test.ts checks it).
 */

export const ErrorCodes = {
  CONFIG_INVALID: { retryable: false, message: 'configuration is invalid' },
  CONFIG_READ: { retryable: false, message: 'configuration file cannot be read' },
  ENCODE_FAILED: { retryable: false, message: 'events could not be encoded' },
  SEND_RETRYABLE: { retryable: true, message: 'request failed, will retry' },
  SEND_PERMANENT: { retryable: false, message: 'request rejected permanently' },
  SEND_TIMEOUT: { retryable: true, message: 'request timed out' },
  RETRIES_EXHAUSTED: { retryable: false, message: 'retry_max_duration_secs exceeded' },
  PARSE_FAILED: { retryable: false, message: 'line could not be parsed' },
  IO_ERROR: { retryable: true, message: 'I/O error' },
  SHUTDOWN: { retryable: false, message: 'shutting down' },
  DATA_DIR_LOCKED: { retryable: false, message: 'data_dir is in use by another edgetail process' },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class EdgetailError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? ErrorCodes[code].message, options);
    this.name = 'EdgetailError';
    this.code = code;
    this.retryable = ErrorCodes[code].retryable;
  }
}

/** One problem in a configuration, with the key path it belongs to. */
export interface ConfigProblem {
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

export class ConfigError extends EdgetailError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super('CONFIG_INVALID', problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
