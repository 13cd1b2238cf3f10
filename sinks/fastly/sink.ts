/**
 * `fastly` sink: each batch of edge log events becomes per-second rt records (one per second the
 * batch covers, aggregated and per POP, in the Fastly real-time analytics shape) posted as one JSON
 * body with `Fastly-Key` to `{endpoint}/v1/channel/{service_id}/ingest`.
 *
 * Records are numbered when the batch is encoded; the delivery layer re-sends the SAME payload on
 * retries, so a record whose first post was merged but whose answer was lost carries the same
 * (agent_id, seq) again and the receiver skips it. The counting itself is src/live/rt-accumulate.ts,
 * the code behind this instance's own rt API.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ComponentContext } from '../../src/core/component.js';
import type { Event } from '../../src/core/event.js';
import { compress, contentEncodingFor } from '../../src/delivery/compress.js';
import { HttpClient, sendHttp } from '../../src/delivery/http.js';
import { OK, type SinkDriver } from '../../src/delivery/types.js';
import { RtCounter } from '../../src/live/rt-accumulate.js';
import { rollupSeconds, toRecords, type RtIngestBody } from '../../src/live/rt-record.js';
import type { FastlySinkConfig } from './config.js';

export interface FastlyPayload {
  /** Undefined when the batch held no edge request (nothing to post). */
  body: Buffer | undefined;
  records: number;
}

export function defaultAgentId(): string {
  return `${hostname()}-${randomBytes(3).toString('hex')}`;
}

/**
 * Sequence numbers: start at the clock in microseconds, then +1 per record. Within a process they
 * strictly increase; across restarts with a fixed agent_id they keep increasing (the clock moved on),
 * so a restarted agent's records are never mistaken for re-sends of its earlier ones.
 */
export function sequence(nowMs: number = Date.now()): () => number {
  let next = Math.floor(nowMs) * 1000;
  return () => next++;
}

export function ingestUrl(endpoint: string, serviceId: string): URL {
  return new URL(`${endpoint.replace(/\/+$/, '')}/v1/channel/${encodeURIComponent(serviceId)}/ingest`);
}

export function buildFastlySink(config: FastlySinkConfig, ctx: ComponentContext): SinkDriver<FastlyPayload> {
  const client = new HttpClient({ tls: config.tls });
  const url = ingestUrl(config.endpoint, config.service_id);
  const agentId = config.agent_id ?? defaultAgentId();
  const nextSeq = sequence();
  const counter = new RtCounter();
  const headers: Record<string, string> = { 'content-type': 'application/json', 'fastly-key': config.api_key.reveal() };
  const enc = contentEncodingFor(config.compression);
  if (enc) headers['content-encoding'] = enc;
  const secrets = [config.api_key];
  ctx.logger.info({ agent_id: agentId, service_id: config.service_id }, 'fastly sink: posting rt records');

  return {
    async encode(events: Event[]): Promise<FastlyPayload> {
      const records = toRecords(rollupSeconds(events, counter), agentId, nextSeq);
      if (records.length === 0) return { body: undefined, records: 0 };
      const body: RtIngestBody = { records };
      return { body: await compress(JSON.stringify(body), config), records: records.length };
    },
    async send(payload: FastlyPayload, signal: AbortSignal) {
      if (payload.body === undefined) return OK;
      return sendHttp(client, { method: 'POST', url, headers, body: payload.body, signal }, secrets);
    },
    payloadBytes: (p) => p.body?.length ?? 0,
    async close() {
      client.close();
    },
  };
}
