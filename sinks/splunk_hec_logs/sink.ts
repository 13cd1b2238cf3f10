/**
 * `splunk_hec_logs` sink: one request per batch to HEC's `/services/collector/event` (concatenated
 * envelopes) or `/services/collector/raw` (the original lines, metadata in the query string).
 * One random channel per sink instance. With indexer acknowledgements on, `send` resolves only once
 * HEC reports the batch's ackId as indexed, so the runner releases the finalizer only for safe data.
 */
import { randomUUID } from 'node:crypto';
import type { ComponentContext } from '../../src/core/component.js';
import type { Event } from '../../src/core/event.js';
import { compress, contentEncodingFor } from '../../src/delivery/compress.js';
import { HttpClient, bodyExcerpt, classifyNetworkError, redact } from '../../src/delivery/http.js';
import { OK, type SendResult, type SinkDriver } from '../../src/delivery/types.js';
import { AckPoller } from './acks.js';
import type { SplunkHecSinkConfig } from './config.js';
import { encodeEnvelopes, encodeRawBody, rawQuery, staticMeta, type EnvelopeOptions } from './encode.js';
import { classifyReply, parseReply } from './responses.js';

export interface HecPayload {
  body: Buffer;
  events: number;
}

/** URL of a HEC path under the configured base (a base path prefix, if any, is kept). */
export function hecUrl(endpoint: string, path: string, query = ''): URL {
  const u = new URL(endpoint);
  return new URL(u.origin + u.pathname.replace(/\/+$/, '') + path + query);
}

export function buildSplunkHecSink(config: SplunkHecSinkConfig, ctx: ComponentContext): SinkDriver<HecPayload> {
  const client = new HttpClient({ tls: config.tls });
  const secrets = [config.token];
  const channel = randomUUID();
  const auth = `Splunk ${config.token.reveal()}`;
  const raw = config.endpoint_target === 'raw';
  const url = raw ? hecUrl(config.endpoint, '/services/collector/raw', rawQuery(config)) : hecUrl(config.endpoint, '/services/collector/event');
  const headers: Record<string, string> = {
    authorization: auth,
    'x-splunk-request-channel': channel,
    'content-type': raw ? 'text/plain; charset=utf-8' : 'application/json',
  };
  const enc = contentEncodingFor(config.compression);
  if (enc) headers['content-encoding'] = enc;
  const envelope: EnvelopeOptions = {
    host_key: config.host_key,
    index: config.index,
    source: config.source,
    sourcetype: config.sourcetype,
    indexed_fields: config.indexed_fields,
    wire: config.encoding,
  };
  const meta = staticMeta(envelope);
  const ackCfg = config.acknowledgements;
  const acks = ackCfg.indexer_acknowledgements_enabled
    ? new AckPoller({
        client,
        url: hecUrl(config.endpoint, '/services/collector/ack'),
        headers: { authorization: auth, 'x-splunk-request-channel': channel, 'content-type': 'application/json' },
        intervalMs: ackCfg.query_interval_secs * 1000,
        timeoutMs: ackCfg.timeout_secs * 1000,
        logger: ctx.logger,
        secrets,
      })
    : undefined;
  let warnedNoAck = false;
  // Size of the last body: the next one's buffer is allocated about that big.
  let lastBody = 0;

  async function awaitAck(ackId: number, signal: AbortSignal): Promise<SendResult> {
    const o = await acks!.wait(ackId, signal);
    if (o === 'acked') return OK;
    if (o === 'timeout') return { kind: 'retryable', reason: `ack timeout: ackId ${ackId} not acknowledged within ${ackCfg.timeout_secs}s` };
    return { kind: 'retryable', reason: 'request timed out or was cancelled while waiting for the indexer acknowledgement' };
  }

  return {
    async encode(events: Event[]): Promise<HecPayload> {
      const body = raw ? encodeRawBody(events, config.encoding) : encodeEnvelopes(events, envelope, meta, lastBody + (lastBody >> 3));
      lastBody = body.length;
      return { body: await compress(body, config), events: events.length };
    },
    async send(payload: HecPayload, signal: AbortSignal): Promise<SendResult> {
      let res;
      try {
        res = await client.request({ method: 'POST', url, headers, body: payload.body, signal });
      } catch (err) {
        return classifyNetworkError(err, signal, secrets);
      }
      if (res.status >= 200 && res.status < 300) {
        const reply = parseReply(res.body);
        if (reply?.code === undefined || reply.code === 0) {
          if (!acks) return OK;
          if (reply?.ackId !== undefined) return awaitAck(reply.ackId, signal);
          if (!warnedNoAck) {
            warnedNoAck = true;
            ctx.logger.warn({}, 'indexer acknowledgements are enabled but HEC returned no ackId: delivery is confirmed on HTTP 200 only');
          }
          return OK;
        }
      }
      return classifyReply(res.status, res.headers, res.body, secrets);
    },
    payloadBytes: (p) => p.body.length,
    async healthcheck(signal: AbortSignal): Promise<void> {
      let res;
      try {
        res = await client.request({ method: 'GET', url: hecUrl(config.endpoint, '/services/collector/health'), headers: { authorization: auth }, signal });
      } catch (err) {
        throw new Error(`healthcheck failed: ${classifyNetworkError(err, signal, secrets).reason}`);
      }
      const reply = parseReply(res.body);
      if (res.status === 200 && (reply?.code === undefined || reply.code === 17)) return;
      const ex = redact(reply?.text !== undefined ? bodyExcerpt(reply.text) : bodyExcerpt(res.body), secrets);
      const what = res.status === 404 ? ' (check that `endpoint` is the HEC base URL, or the proxy in front of HEC)' : '';
      throw new Error(`healthcheck failed: HTTP ${res.status}${reply?.code !== undefined ? ` HEC code ${reply.code}` : ''}${what}${ex ? `: ${ex}` : ''}`);
    },
    async close() {
      acks?.close();
      client.close();
    },
  };
}
