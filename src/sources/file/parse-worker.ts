/**
 * Parse worker of the file source (`parse_workers`): parses batches of lines with the source's
 * format and answers, per line, the timestamp and JSON.stringify(fields) — the text the main thread
 * wraps in a LazyLogEvent and encoders splice in without parsing again. Lines the main thread must
 * handle itself (failures, skipped lines, fields shadowing `timestamp`/`event_id`) come back as null
 * and are parsed there (rare; keeps one code path for errors and counting).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getFormat } from '../../formats/index.js';
import { ParseFailure, SKIP, type FormatName } from '../../formats/types.js';
import type { ParseRequest, ParseReply } from './parse-pool.js';

// Only a worker started by parse-pool.ts has workerData and a parent port; imported anywhere else
// (a module-graph check, a bundler), this file does nothing.
const port = parentPort;
const data = workerData as { format: FormatName } | null;
if (port !== null && data !== null && typeof data === 'object') {
  const format = getFormat(data.format);
  port.on('message', (m: ParseRequest) => onRequest(port, format, m));
}

function onRequest(port: NonNullable<typeof parentPort>, format: ReturnType<typeof getFormat>, m: ParseRequest): void {
  const lines = m.lines;
  const n = lines.length;
  const ts = new Float64Array(n);
  const json = new Array<string | null>(n);
  for (let i = 0; i < n; i++) {
    const o = format.parse(lines[i]!);
    if (o === SKIP || o instanceof ParseFailure) {
      json[i] = null;
      continue;
    }
    const f = o.fields;
    if (f.timestamp !== undefined || f.event_id !== undefined || f.parse_error !== undefined) {
      json[i] = null;
      continue;
    }
    ts[i] = o.timestamp;
    json[i] = JSON.stringify(f);
  }
  const reply: ParseReply = { id: m.id, ts, json };
  port.postMessage(reply, [ts.buffer]);
}
