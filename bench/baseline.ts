/**
 * The practical ceiling for a one-thread Node program (issue "Performance"): read the file in 1 MiB
 * chunks, split lines with Buffer.indexOf, JSON.parse each, wrap it in a HEC envelope
 * (`{"time":…,"host":…,"event":{…,"event_id":…}}`, concatenated), gzip level 1 (async, libuv pool),
 * POST batches of 1000 (4 in flight) to the same HEC receiver edgetail sends to. Deliberately plain
 * code, as anyone would write it. Run as a child so its RSS and CPU are its own.
 * Usage: node dist/bench/baseline.js FILE HEC_URL TOKEN
 */
import { open } from 'node:fs/promises';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzip);
const [file, base, token] = process.argv.slice(2) as [string, string, string];
const url = `${base}/services/collector/event`;

async function post(envelopes: string[]): Promise<void> {
  const body = await gzipAsync(envelopes.join(''), { level: 1 });
  const res = await fetch(url, { method: 'POST', body, headers: { authorization: `Splunk ${token}`, 'content-type': 'application/json', 'content-encoding': 'gzip' } });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`receiver answered ${res.status}`);
}

const fh = await open(file, 'r');
const buf = Buffer.allocUnsafe(1 << 20);
let carry = Buffer.alloc(0);
let carryAt = 0;
let batch: string[] = [];
let inflight: Promise<void>[] = [];
for (;;) {
  const { bytesRead } = await fh.read(buf, 0, buf.length, null);
  if (bytesRead === 0) break;
  const chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
  let start = 0;
  let nl: number;
  while ((nl = chunk.indexOf(10, start)) !== -1) {
    const line = chunk.toString('utf8', start, nl);
    const obj = JSON.parse(line) as Record<string, unknown>;
    obj.event_id = `b:${carryAt + start}`;
    start = nl + 1;
    batch.push(JSON.stringify({ time: Date.parse(obj.timestamp as string) / 1000, host: obj.node, event: obj }));
    if (batch.length === 1000) {
      inflight.push(post(batch));
      batch = [];
      if (inflight.length >= 4) {
        await Promise.all(inflight);
        inflight = [];
      }
    }
  }
  carryAt += start;
  carry = Buffer.from(chunk.subarray(start));
}
if (batch.length) inflight.push(post(batch));
await Promise.all(inflight);
await fh.close();
