/**
 * The practical ceiling for a one-thread Node program (issue "Performance"): read the file in large
 * chunks, split lines, JSON.parse, re-serialize as an envelope, gzip level 1 (async), POST batches of
 * 1000 to the same receiver edgetail sends to. Run as a child so its RSS and CPU are its own.
 * Usage: node dist/bench/baseline.js FILE URL
 */
import { open } from 'node:fs/promises';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzip);
const [file, url] = process.argv.slice(2) as [string, string];

async function post(lines: string[]): Promise<void> {
  const body = await gzipAsync(lines.join(''), { level: 1 });
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' } });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`receiver answered ${res.status}`);
}

const fh = await open(file, 'r');
const buf = Buffer.allocUnsafe(1 << 20);
let carry = Buffer.alloc(0);
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
    start = nl + 1;
    const obj = JSON.parse(line) as Record<string, unknown>;
    batch.push(JSON.stringify({ time: Date.parse(obj.timestamp as string) / 1000, event: obj }) + '\n');
    if (batch.length === 1000) {
      inflight.push(post(batch));
      batch = [];
      if (inflight.length >= 4) {
        await Promise.all(inflight);
        inflight = [];
      }
    }
  }
  carry = Buffer.from(chunk.subarray(start));
}
if (batch.length) inflight.push(post(batch));
await Promise.all(inflight);
await fh.close();
