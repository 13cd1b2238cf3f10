/** The `fastly_realtime` source: one long-polling loop per service id (poller.ts). */
import type { Source, SourceContext } from '../../core/component.js';
import { HttpClient } from '../../delivery/http.js';
import { realTiming, type Timing } from '../../delivery/retry.js';
import type { FastlyRealtimeConfig } from './config.js';
import { ServicePoller } from './poller.js';

export class FastlyRealtimeSource implements Source {
  readonly #client: HttpClient;
  readonly #pollers: ServicePoller[];
  #runs: Promise<void>[] = [];

  constructor(config: FastlyRealtimeConfig, ctx: SourceContext, timing: Timing = realTiming) {
    this.#client = new HttpClient({ tls: config.tls });
    this.#pollers = config.service_ids.map((sid) => new ServicePoller(sid, config, ctx, this.#client, timing, config.api_key));
  }

  async start(): Promise<void> {
    this.#runs = this.#pollers.map((p) => p.run());
  }

  /** The topology aborts ctx.signal first; the loops end at their next await. */
  async stop(): Promise<void> {
    await Promise.all(this.#runs);
  }

  async close(): Promise<void> {
    this.#client.close();
  }

  describe(): Record<string, unknown> {
    return { services: this.#pollers.map((p) => ({ ...p.status })) };
  }

  /** Pollers' states (tests, health). */
  get statuses(): ReadonlyArray<ServicePoller['status']> {
    return this.#pollers.map((p) => p.status);
  }
}
