/** One running edgetail: validated config → topology + API server, with graceful shutdown. */
import type { Logger } from '../core/component.js';
import { ConfigError } from '../core/errors.js';
import type { RawConfig } from '../config/load.js';
import { validateConfig } from '../config/validate.js';
import { Topology } from '../topology/topology.js';
import { Telemetry } from '../telemetry/metrics.js';
import { startSelfTelemetry } from '../telemetry/otel.js';
import { assertSafeExposure, startApi, type ApiServer } from '../api/server.js';
import { createRtHandler } from '../live/rt-api.js';
import { createRtIngestHandler } from '../live/rt-ingest.js';
import { acquireLiveStore, releaseLiveStore } from '../live/registry.js';
import type { LiveStore } from '../live/rollup.js';
import { attachLiveFeed, type LiveFeed, type LiveFeedOptions } from '../live/feed.js';

export interface Instance {
  topology: Topology;
  api: ApiServer | undefined;
  /** The /live WebSocket feed on the API server (undefined when the API is disabled). */
  liveFeed: LiveFeed | undefined;
  telemetry: Telemetry;
  stop(deadlineMs?: number): Promise<void>;
}

export async function startInstance(raw: RawConfig, logger: Logger, overrides: { apiAddress?: string; liveFeed?: Partial<LiveFeedOptions> } = {}): Promise<Instance> {
  const { config, problems } = await validateConfig(raw, 'run');
  for (const p of problems) if (p.severity === 'warning') logger.warn({ path: p.path }, p.message);
  if (!config) throw new ConfigError(problems.filter((p) => p.severity === 'error'));
  if (overrides.apiAddress) config.api.address = overrides.apiAddress;
  if (config.api.enabled) assertSafeExposure(config.api);

  const telemetry = new Telemetry();
  // Self-telemetry over OTLP: off by default, and then nothing of the OpenTelemetry SDK loads.
  const selfTelemetry = await startSelfTelemetry(config.telemetry?.opentelemetry, process.env, telemetry, logger);
  const topology = await Topology.build(config, { telemetry, logger }).catch(async (err: unknown) => {
    await selfTelemetry?.shutdown();
    throw err;
  });
  let api: ApiServer | undefined;
  let liveFeed: LiveFeed | undefined;
  /** Held while rt ingest is on, so records have rollups to merge into even without a live sink. */
  let ingestStore: LiveStore | undefined;
  if (config.api.enabled) {
    try {
      // The rt-compatible API takes Fastly-Key: api.fastly_api_keys, else the API token, else open
      // (loopback only, as enforced above). Ingest takes the same keys but is never open.
      const keys = config.api.fastly_api_keys.length > 0 ? config.api.fastly_api_keys : config.api.auth_token ? [config.api.auth_token] : [];
      if (keys.some((k) => !k.isEmpty)) ingestStore = acquireLiveStore();
      const ingest = createRtIngestHandler({ keys, logger: logger.child({ component: 'rt_ingest' }) });
      api = await startApi(config.api, topology, telemetry, logger, [createRtHandler({ keys }), ingest]);
      const l = config.api.limits;
      liveFeed = attachLiveFeed(api.server, {
        authToken: config.api.auth_token,
        allowedOrigins: config.api.allowed_origins,
        maxMessageBytes: l.ws_max_message_bytes,
        maxMessagesPerSec: l.ws_max_messages_per_sec,
        onReject: api.reject,
        logger,
        ...overrides.liveFeed,
      });
    } catch (err) {
      await topology.stop(1000).catch(() => {});
      if (ingestStore) releaseLiveStore(ingestStore);
      await selfTelemetry?.shutdown();
      throw err;
    }
  }
  try {
    await topology.start();
  } catch (err) {
    await topology.stop(1000).catch(() => {});
    await liveFeed?.close();
    await api?.close();
    if (ingestStore) releaseLiveStore(ingestStore);
    await selfTelemetry?.shutdown();
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    topology,
    api,
    liveFeed,
    telemetry,
    stop(deadlineMs?: number) {
      stopped ??= (async () => {
        await topology.stop(deadlineMs);
        await liveFeed?.close();
        await api?.close();
        if (ingestStore) releaseLiveStore(ingestStore);
        await selfTelemetry?.shutdown();
      })();
      return stopped;
    },
  };
}

/** SIGTERM/SIGINT → graceful stop within the deadline; a second signal exits at once. */
export function stopOnSignals(instance: Instance, logger: Logger, onStopped: (code: number) => void): void {
  let signalled = false;
  const handler = (sig: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal: sig }, 'second signal: exiting without draining');
      onStopped(130);
      return;
    }
    signalled = true;
    logger.info({ signal: sig }, 'shutting down: stopping sources, draining sinks');
    instance.stop().then(
      () => {
        logger.info('stopped cleanly');
        onStopped(0);
      },
      (err: unknown) => {
        logger.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
        onStopped(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
