import { inspect } from 'node:util';

/**
 * A secret configuration value (token, API key, password). It never prints itself: not in logs,
 * error messages, JSON (/api/config, /api/topology) or util.inspect. Call reveal() only where the
 * value goes on the wire.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  get isEmpty(): boolean {
    return this.#value.length === 0;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return '[secret]';
  }
}
