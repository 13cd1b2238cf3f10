/**
 * Indexer acknowledgements: one poller per sink instance (ack ids are per channel, and a sink has one
 * channel). Every in-flight `send` registers its ackId and waits; a single loop polls
 * `POST /services/collector/ack {"acks":[…all pending ids…]}` every `query_interval_secs`, so N
 * concurrent requests cost one poll per interval, not N. A poll that fails (network, 5xx) is simply
 * repeated at the next interval; a wait ends with 'acked', 'timeout' (the caller retries the batch)
 * or 'aborted' (the runner's request signal).
 */
import type { Secret } from '../../src/core/secret.js';
import type { HttpClient } from '../../src/delivery/http.js';
import type { Logger } from '../../src/core/component.js';
import { parseReply } from './responses.js';

export type AckOutcome = 'acked' | 'timeout' | 'aborted';

interface Waiter {
  deadline: number;
  done: (o: AckOutcome) => void;
}

export interface AckPollerOptions {
  client: HttpClient;
  url: URL;
  headers: Record<string, string>;
  intervalMs: number;
  timeoutMs: number;
  logger: Logger;
  secrets: readonly Secret[];
}

export class AckPoller {
  readonly #o: AckPollerOptions;
  readonly #pending = new Map<number, Waiter>();
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #closed = false;
  readonly #stop = new AbortController();
  #lastWarn = -Infinity;

  constructor(o: AckPollerOptions) {
    this.#o = o;
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** Resolves once `ackId` is acknowledged, its timeout passed, or `signal` aborted. */
  wait(ackId: number, signal: AbortSignal): Promise<AckOutcome> {
    if (this.#closed || signal.aborted) return Promise.resolve('aborted');
    return new Promise<AckOutcome>((resolve) => {
      const onAbort = (): void => finish('aborted');
      const finish = (o: AckOutcome): void => {
        if (this.#pending.get(ackId) === w) this.#pending.delete(ackId);
        signal.removeEventListener('abort', onAbort);
        resolve(o);
      };
      const w: Waiter = { deadline: Date.now() + this.#o.timeoutMs, done: finish };
      this.#pending.get(ackId)?.done('timeout');
      this.#pending.set(ackId, w);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#polling || this.#closed || this.#pending.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#poll();
    }, this.#o.intervalMs);
  }

  async #poll(): Promise<void> {
    this.#polling = true;
    try {
      const ids = [...this.#pending.keys()];
      if (ids.length > 0) {
        const acked = await this.#query(ids);
        for (const id of acked) this.#pending.get(id)?.done('acked');
      }
      const now = Date.now();
      for (const w of [...this.#pending.values()]) if (now >= w.deadline) w.done('timeout');
    } finally {
      this.#polling = false;
      this.#schedule();
    }
  }

  /** The ids the server reports as acknowledged; [] when the poll failed. */
  async #query(ids: number[]): Promise<number[]> {
    try {
      const res = await this.#o.client.request({
        method: 'POST',
        url: this.#o.url,
        headers: this.#o.headers,
        body: JSON.stringify({ acks: ids }),
        signal: AbortSignal.any([this.#stop.signal, AbortSignal.timeout(Math.max(this.#o.timeoutMs, 1000))]),
      });
      if (res.status !== 200) {
        this.#warn(`ack poll answered HTTP ${res.status}${parseReply(res.body)?.code !== undefined ? ` (HEC code ${parseReply(res.body)!.code})` : ''}`);
        return [];
      }
      const v = JSON.parse(res.body.toString('utf8')) as { acks?: Record<string, unknown> };
      const out: number[] = [];
      if (v && typeof v.acks === 'object' && v.acks !== null) {
        for (const [k, ok] of Object.entries(v.acks)) if (ok === true) out.push(Number(k));
      }
      return out;
    } catch (err) {
      if (!this.#closed) this.#warn(`ack poll failed: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
  }

  #warn(msg: string): void {
    const now = Date.now();
    if (now - this.#lastWarn < 10_000) return;
    this.#lastWarn = now;
    this.#o.logger.warn({ pending: this.#pending.size }, msg);
  }

  /** Ends every wait as 'aborted' and stops polling. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#stop.abort();
    for (const w of [...this.#pending.values()]) w.done('aborted');
  }
}
