/**
 * `http` sink: one request per batch to `uri` (POST or PUT), body in the configured codec, optionally
 * gzip-compressed. Status classification, keep-alive and Retry-After come from src/delivery/http.ts.
 */
import type { ComponentContext } from '../../src/core/component.js';
import type { Event } from '../../src/core/event.js';
import type { Secret } from '../../src/core/secret.js';
import { compress, contentEncodingFor } from '../../src/delivery/compress.js';
import { contentTypeFor, encodeEvents } from '../../src/delivery/encoding.js';
import { HttpClient, bodyExcerpt, classifyNetworkError, redact, sendHttp } from '../../src/delivery/http.js';
import type { SinkDriver } from '../../src/delivery/types.js';
import type { HttpSinkConfig } from './config.js';

export interface HttpPayload {
  body: Buffer;
  events: number;
}

/** The request headers, lower-cased: defaults, then the user's headers, then auth. */
export function requestHeaders(config: HttpSinkConfig): Record<string, string> {
  const h: Record<string, string> = { 'content-type': contentTypeFor(config.encoding.codec) };
  const enc = contentEncodingFor(config.compression);
  if (enc) h['content-encoding'] = enc;
  for (const [k, v] of Object.entries(config.headers)) h[k.toLowerCase()] = v.reveal();
  const auth = config.auth;
  if (auth?.strategy === 'bearer') h.authorization = `Bearer ${auth.token.reveal()}`;
  else if (auth?.strategy === 'basic') h.authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password.reveal()}`).toString('base64')}`;
  return h;
}

/** Every secret value of the config, so that server text echoing one is redacted from reasons. */
function secretsOf(config: HttpSinkConfig): Secret[] {
  const out: Secret[] = Object.values(config.headers);
  if (config.auth?.strategy === 'bearer') out.push(config.auth.token);
  if (config.auth?.strategy === 'basic') out.push(config.auth.password);
  return out;
}

export function buildHttpSink(config: HttpSinkConfig, _ctx: ComponentContext): SinkDriver<HttpPayload> {
  const client = new HttpClient({ tls: config.tls });
  const url = new URL(config.uri);
  const method = config.method.toUpperCase();
  const headers = requestHeaders(config);
  const secrets = secretsOf(config);
  const hcUri = config.healthcheck.uri;

  const driver: SinkDriver<HttpPayload> = {
    async encode(events: Event[]): Promise<HttpPayload> {
      const text = encodeEvents(events, config.encoding.codec, config.encoding);
      return { body: await compress(text, config), events: events.length };
    },
    send(payload: HttpPayload, signal: AbortSignal) {
      return sendHttp(client, { method, url, headers, body: payload.body, signal }, secrets);
    },
    payloadBytes: (p) => p.body.length,
    async close() {
      client.close();
    },
  };
  if (hcUri) {
    const hcHeaders: Record<string, string> = headers.authorization ? { authorization: headers.authorization } : {};
    driver.healthcheck = async (signal: AbortSignal) => {
      let status: number;
      let body: Buffer;
      try {
        ({ status, body } = await client.request({ method: 'GET', url: hcUri, headers: hcHeaders, signal }));
      } catch (err) {
        throw new Error(`healthcheck failed: ${classifyNetworkError(err, signal, secrets).reason}`);
      }
      if (status < 200 || status >= 300) {
        const ex = redact(bodyExcerpt(body), secrets);
        throw new Error(`healthcheck failed: HTTP ${status}${ex ? `: ${ex}` : ''}`);
      }
    };
  }
  return driver;
}
