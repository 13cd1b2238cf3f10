/**
 * Parse worker of the file source (`parse_workers`): parses batches of lines with the source's
 * format and answers, per line, the timestamp and how to build the fields' JSON members text on the
 * main thread (see ParseReply): for a canonical line only two offsets into the line the main thread
 * already holds, plus a short suffix — the text itself does not cross threads. Also the values of
 * the fields the sinks peek (SourceContext.peekKeys). Lines the main thread must handle itself
 * (failures, skipped lines, fields shadowing `timestamp`/`event_id`) are marked and parsed there
 * (rare; keeps one code path for errors and counting).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getFormat } from '../../formats/index.js';
import { ParseFailure, SKIP, type FormatName, type ParsedText } from '../../formats/types.js';
import { MEMBERS_IN_TEXT, PARSE_HERE, type ParseRequest, type ParseReply } from './parse-pool.js';

// Only a worker started by parse-pool.ts has workerData and a parent port; imported anywhere else
// (a module-graph check, a bundler), this file does nothing.
const port = parentPort;
const data = workerData as { format: FormatName; peekKeys?: readonly string[] } | null;
if (port !== null && data !== null && typeof data === 'object') {
  const format = getFormat(data.format);
  const keys = data.peekKeys ?? [];
  port.on('message', (m: ParseRequest) => onRequest(port, format, keys, m));
}

function onRequest(port: NonNullable<typeof parentPort>, format: ReturnType<typeof getFormat>, keys: readonly string[], m: ParseRequest): void {
  const lines = m.lines;
  const n = lines.length;
  const k = keys.length;
  const ts = new Float64Array(n);
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  const text = new Array<string | null>(n);
  const peeked = k > 0 ? new Array<unknown>(n * k) : undefined;
  for (let i = 0; i < n; i++) {
    const line = lines[i]!;
    const o = format.parseText ? format.parseText(line) : format.parse(line);
    text[i] = null;
    if (o === SKIP || o instanceof ParseFailure) {
      start[i] = PARSE_HERE;
      continue;
    }
    const f = o.fields;
    if (f.timestamp !== undefined || f.event_id !== undefined || f.parse_error !== undefined) {
      start[i] = PARSE_HERE;
      continue;
    }
    ts[i] = o.timestamp;
    if ((o as ParsedText).text === true) {
      const t = o as ParsedText;
      start[i] = t.start;
      end[i] = t.end;
      if (t.suffix !== '') text[i] = t.suffix;
    } else {
      start[i] = MEMBERS_IN_TEXT;
      text[i] = JSON.stringify(f).slice(1, -1);
    }
    for (let j = 0; j < k; j++) peeked![i * k + j] = f[keys[j]!];
  }
  const reply: ParseReply = { id: m.id, ts, start, end, text, peeked };
  port.postMessage(reply, [ts.buffer, start.buffer, end.buffer]);
}
