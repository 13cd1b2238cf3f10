/**
 * The HTTP library under `@datadog/datadog-api-client` for both Datadog sinks (datadog_metrics
 * imports it from here). The client builds, serializes and classifies requests; this transport only
 * moves bytes, and replaces the client's default (cross-fetch + synchronous pako gzip) because:
 * - compression runs on node:zlib's asynchronous API (thread pool), not on the event loop;
 * - the request goes through src/delivery/http.ts's keep-alive node:http client;
 * - the response headers (Retry-After) are kept: the client's ApiException(code, body) drops them.
 *
 * Per-call state (the runner's abort signal in, the response headers out) travels in an
 * AsyncLocalStorage slot around one API call (`callDatadog`), so one client serves concurrent sends.
 * The client's own retries stay off (`enableRetry: false`): the delivery runner owns retries.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { deflate as deflateCb, gzip as gzipCb } from 'node:zlib';
import { client } from '@datadog/datadog-api-client';
import type { Secret } from '../../src/core/secret.js';
import { HttpClient, classifyHttpStatus, classifyNetworkError } from '../../src/delivery/http.js';
import type { SendResult } from '../../src/delivery/types.js';
import { OK } from '../../src/delivery/types.js';

type RequestContext = client.RequestContext;
type ResponseContext = client.ResponseContext;

/** State of one API call: the abort signal going in, the response headers and wire size coming out. */
export interface CallSlot {
  signal: AbortSignal;
  headers: Record<string, string>;
  /** The raw response body (the client's ApiException holds it deserialized into a model, mangled). */
  body: Buffer | undefined;
  /** Bytes of the (compressed) request body sent on the last request of this call. */
  sentBytes: number;
}

const slots = new AsyncLocalStorage<CallSlot>();
const ZLIB_OPTS = { chunkSize: 256 * 1024 };

function zlibAsync(fn: typeof gzipCb, body: string, level: number | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fn(body, level === undefined ? ZLIB_OPTS : { ...ZLIB_OPTS, level }, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

export class DatadogTransport implements client.HttpLibrary {
  readonly #http: HttpClient;
  readonly #level: number | undefined;
  /** Set by createConfiguration; must stay false (asserted in tests). */
  enableRetry?: boolean | undefined;
  debug?: boolean;

  constructor(http: HttpClient, compressionLevel?: number) {
    this.#http = http;
    this.#level = compressionLevel;
  }

  async send(request: RequestContext): Promise<ResponseContext> {
    const slot = slots.getStore();
    const headers = { ...request.getHeaders() };
    const raw = request.getBody();
    let body: Buffer | string | undefined;
    const enc = headers['Content-Encoding'];
    if (typeof raw === 'string') {
      if (enc === 'gzip') body = await zlibAsync(gzipCb, raw, this.#level);
      else if (enc === 'deflate') body = await zlibAsync(deflateCb, raw, this.#level);
      else body = raw;
    } else if (raw !== undefined) {
      throw new Error('datadog transport: unexpected non-string request body');
    }
    if (slot && body !== undefined) slot.sentBytes += typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    const res = await this.#http.request({
      method: request.getHttpMethod().toString(),
      url: request.getUrl(),
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(slot ? { signal: slot.signal } : {}),
    });
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
    if (slot) {
      slot.headers = flat;
      slot.body = res.body;
    }
    const buf = res.body;
    return new client.ResponseContext(res.status, flat, {
      text: async () => buf.toString('utf8'),
      binary: async () => buf,
    });
  }
}

/** The client configuration: every host overridden by `baseUrl`, the API key, our transport, no retries. */
export function datadogConfiguration(baseUrl: string, apiKey: Secret, transport: DatadogTransport): client.Configuration {
  return client.createConfiguration({
    baseServer: new client.BaseServerConfiguration(baseUrl.replace(/\/+$/, ''), {}),
    authMethods: { apiKeyAuth: apiKey.reveal() },
    httpApi: transport,
    httpConfig: { compress: false },
    enableRetry: false,
  });
}

/** Runs one API call with its slot; never throws: the outcome is classified as a SendResult. */
export async function callDatadog(
  fn: () => Promise<unknown>,
  signal: AbortSignal,
  secrets: readonly Secret[],
): Promise<{ result: SendResult; status: number; sentBytes: number }> {
  const slot: CallSlot = { signal, headers: {}, body: undefined, sentBytes: 0 };
  try {
    await slots.run(slot, fn);
    return { result: OK, status: 202, sentBytes: slot.sentBytes };
  } catch (err) {
    if (err instanceof client.ApiException) {
      const e = err as client.ApiException<unknown>;
      const text = slot.body ?? (typeof e.body === 'string' ? e.body : '');
      const result = classifyHttpStatus(e.code, slot.headers, text, { secrets });
      return { result, status: e.code, sentBytes: slot.sentBytes };
    }
    return { result: classifyNetworkError(err, signal, secrets), status: 0, sentBytes: slot.sentBytes };
  }
}

/** Base URL of a Datadog API host for a site, e.g. ("http-intake.logs", "datadoghq.eu"). */
export function siteUrl(prefix: string, site: string): string {
  return `https://${prefix}.${site}`;
}
