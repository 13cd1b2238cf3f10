import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { DEFAULT_START_MS, runGenerate, type GenerateOptions } from '../../../src/cli/generate.js';
import { getFormat, ParseFailure, SKIP, type Parsed } from '../../../src/formats/index.js';
import { GCS_HEADER } from '../../../src/sources/demo/writers.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function generate(o: Partial<GenerateOptions> & { format: GenerateOptions['format']; lines: number }): Promise<string[]> {
  const s = sink();
  await runGenerate({ scenario: 'cutover', seed: 1, ...o }, s.stream);
  const text = s.text();
  assert.ok(text === '' || text.endsWith('\n'), 'every line ends with a newline');
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

function parsed(format: 'fastly_json' | 'gcs_usage' | 'combined', line: string): Parsed {
  const o = getFormat(format).parse(line);
  assert.ok(!(o instanceof ParseFailure) && o !== SKIP, `${format} did not parse: ${line}`);
  return o as Parsed;
}

describe('runGenerate', () => {
  test('fastly_json: exactly N edge lines that parse, timestamps spread over the scenario', async () => {
    const start = Date.UTC(2024, 0, 1);
    const lines = await generate({ format: 'fastly_json', lines: 1200, startMs: start });
    assert.equal(lines.length, 1200);
    // 600 s over 1200 lines: line i starts at start + i × 500 ms.
    for (const i of [0, 1, 599, 1199]) assert.equal(parsed('fastly_json', lines[i]!).timestamp, start + i * 500);
    for (const l of lines) assert.equal(parsed('fastly_json', l).fields.layer, 'edge');
  });

  test('gcs_usage: the header row, then exactly N origin rows', async () => {
    const lines = await generate({ format: 'gcs_usage', lines: 700 });
    assert.equal(lines.length, 701);
    assert.equal(lines[0], GCS_HEADER);
    for (const l of lines.slice(1)) {
      const p = parsed('gcs_usage', l);
      assert.equal(p.fields.layer, 'origin');
      assert.equal(p.fields.bucket, 'kubernetes-release');
    }
    // Completion time of the first row: no earlier than the default start.
    assert.ok(parsed('gcs_usage', lines[1]!).timestamp >= DEFAULT_START_MS, 'first row at or after the start');
  });

  test('combined: exactly N lines that parse', async () => {
    const lines = await generate({ format: 'combined', lines: 500, seed: 4 });
    assert.equal(lines.length, 500);
    for (const l of lines) assert.ok(parsed('combined', l).fields.path, l);
  });

  test('zero lines: nothing (gcs_usage: just the header)', async () => {
    assert.deepEqual(await generate({ format: 'fastly_json', lines: 0 }), []);
    assert.deepEqual(await generate({ format: 'gcs_usage', lines: 0 }), [GCS_HEADER]);
  });

  test('deterministic for a seed (default start included)', async () => {
    const a = await generate({ format: 'fastly_json', lines: 2000, seed: 9 });
    assert.deepEqual(await generate({ format: 'fastly_json', lines: 2000, seed: 9 }), a);
    assert.notDeepEqual(await generate({ format: 'fastly_json', lines: 2000, seed: 10 }), a);
  });

  test('waits for drain when write() returns false', async () => {
    // A stream that refuses more data after every write until it drains on a later tick.
    const out = new EventEmitter() as EventEmitter & { write(s: string): boolean };
    let waiting = false;
    let writes = 0;
    let lines = 0;
    let violations = 0;
    out.write = (s: string) => {
      if (waiting) violations++;
      writes++;
      lines += s.split('\n').length - 1;
      waiting = true;
      setImmediate(() => {
        waiting = false;
        out.emit('drain');
      });
      return false;
    };
    await runGenerate({ scenario: 'cutover', format: 'fastly_json', lines: 5000, seed: 1 }, out as unknown as NodeJS.WritableStream);
    assert.equal(lines, 5000);
    assert.ok(writes > 1, `writes: ${writes}`);
    assert.equal(violations, 0, 'wrote while the stream asked to wait');
  });

  test('a reader that goes away (EPIPE) ends generation quietly; other errors reject', async () => {
    const failing = (code: string) => {
      const out = new EventEmitter() as EventEmitter & { write(s: string): boolean };
      out.write = () => {
        setImmediate(() => out.emit('error', Object.assign(new Error(code), { code })));
        return false;
      };
      return out as unknown as NodeJS.WritableStream;
    };
    await runGenerate({ scenario: 'cutover', format: 'combined', lines: 100_000, seed: 1 }, failing('EPIPE'));
    await assert.rejects(runGenerate({ scenario: 'cutover', format: 'combined', lines: 100_000, seed: 1 }, failing('ENOSPC')), /ENOSPC/);
  });
});
