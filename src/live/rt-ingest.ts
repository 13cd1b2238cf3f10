/**
 * `POST /v1/channel/{service_id}/ingest`: where agents' `fastly` sinks post per-second rt records
 * (rt-record.ts). Records are merged into the same per-second rollups that serve the rt read API
 * (rt-api.ts), so a fleet of agents rolls up into one collector; a record already merged (same agent
 * id and sequence: a re-send after a lost response) is acknowledged but not counted again.
 *
 * Answers: 200 {accepted, duplicates, late, future, overflow}; 400 bad JSON or record (message names
 * the path); 401/403 Fastly-Key missing/invalid (ingest always needs a key); 405; 413 body too large;
 * 415 unknown Content-Encoding; 404 when the instance keeps no rollups.
 */
import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Logger } from '../core/component.js';
import type { Secret } from '../core/secret.js';
import { RecordDedupe } from './dedupe.js';
import { authorizeChannel, sendJson } from './fastly-key.js';
import { getLiveStore } from './registry.js';
import type { LiveStore } from './rollup.js';
import { RecordError, parseIngestBody, type ParsedRecord } from './rt-record.js';
import type { RtRouteHandler } from './rt-api.js';

const gunzipAsync = promisify(gunzip);

export interface RtIngestOptions {
  /** Accepted `Fastly-Key` values. Without any, ingest is refused (403). */
  keys?: readonly Secret[];
  /** Largest body accepted, compressed and decompressed (default 10 MiB). */
  maxBodyBytes?: number;
  /** Remembered (agent id, seq) pairs (default 500,000). */
  dedupeEntries?: number;
  store?: () => LiveStore | undefined;
  logger?: Logger | undefined;
}

export interface IngestOutcome {
  accepted: number;
  duplicates: number;
  late: number;
  future: number;
  overflow: number;
}

const ROUTE = /^\/v1\/channel\/([^/]+)\/ingest\/?$/;
export const DEFAULT_INGEST_MAX_BODY_BYTES = 10 * 1024 * 1024;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const send = sendJson;

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) throw new HttpError(413, `body larger than ${max} bytes`);
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > max) throw new HttpError(413, `body larger than ${max} bytes`);
    chunks.push(chunk);
  }
  let body = Buffer.concat(chunks);
  const enc = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (enc === 'gzip') {
    try {
      body = await gunzipAsync(body, { maxOutputLength: max });
    } catch (err) {
      const tooBig = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      throw new HttpError(tooBig ? 413 : 400, tooBig ? `decompressed body larger than ${max} bytes` : 'invalid gzip body');
    }
  } else if (enc !== 'identity') throw new HttpError(415, `unsupported Content-Encoding ${enc} (gzip or none)`);
  return body;
}

/** Merges validated records into the store, skipping (agent, seq) pairs merged before. */
export function mergeRecords(store: LiveStore, dedupe: RecordDedupe, sid: string, records: readonly ParsedRecord[]): IngestOutcome {
  const out: IngestOutcome = { accepted: 0, duplicates: 0, late: 0, future: 0, overflow: 0 };
  for (const r of records) {
    const k = RecordDedupe.key(sid, r.agentId, r.seq);
    if (dedupe.has(k)) {
      out.duplicates++;
      continue;
    }
    const o = store.mergeSecond(sid, r.second);
    if (o === 'merged') {
      out.accepted++;
      dedupe.add(k, r.second.sec, store.oldestSec());
    } else out[o]++;
  }
  return out;
}

export function createRtIngestHandler(opts: RtIngestOptions = {}): RtRouteHandler {
  const keys = (opts.keys ?? []).filter((k) => !k.isEmpty);
  const max = opts.maxBodyBytes ?? DEFAULT_INGEST_MAX_BODY_BYTES;
  const storeOf = opts.store ?? getLiveStore;
  const dedupe = new RecordDedupe(opts.dedupeEntries);
  const logger = opts.logger;

  return async (req, res, url) => {
    const m = ROUTE.exec(url.pathname);
    if (m === null) return false;
    if (req.method !== 'POST' && req.method !== 'PUT') {
      send(res, 405, { msg: 'Method not allowed', detail: 'POST rt records to this path' });
      return true;
    }
    if (keys.length === 0) {
      send(res, 403, { msg: 'Ingest disabled', detail: 'set api.fastly_api_keys on this instance to accept rt records' });
      return true;
    }
    const sid = authorizeChannel(req, res, keys, m[1]!);
    if (sid === undefined) return true;
    const store = storeOf();
    if (store === undefined) {
      send(res, 404, { msg: 'Not found', detail: 'this instance keeps no live rollups' });
      return true;
    }
    let records: ParsedRecord[];
    try {
      const body = await readBody(req, max);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch (err) {
        throw new HttpError(400, `invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
      }
      records = parseIngestBody(parsed);
    } catch (err) {
      if (err instanceof HttpError || err instanceof RecordError) {
        const status = err instanceof HttpError ? err.status : 400;
        logger?.warn({ status, service_id: sid, detail: err.message }, 'rt ingest: request rejected');
        send(res, status, { msg: status === 413 ? 'Payload too large' : 'Bad request', detail: err.message });
        // The rest of an oversized body is not read: close the connection after the answer.
        if (status === 413) res.once('finish', () => req.destroy());
        return true;
      }
      throw err;
    }
    const out = mergeRecords(store, dedupe, sid, records);
    if (out.late + out.future + out.overflow > 0) logger?.warn({ service_id: sid, ...out }, 'rt ingest: records outside the rollup window were not merged');
    send(res, 200, out);
    return true;
  };
}
