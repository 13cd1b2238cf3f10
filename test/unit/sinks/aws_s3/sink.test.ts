import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { makeLogEvent } from '../../../../src/core/event.js';
import { awsS3SinkSchema } from '../../../../sinks/aws_s3/config.js';
import { awsS3Sink } from '../../../../sinks/aws_s3/index.js';
import type { S3Payload } from '../../../../sinks/aws_s3/sink.js';
import type { StreamingSinkDriver } from '../../../../src/delivery/types.js';
import { testContext } from '../../../helpers/context.js';

const LATE = Date.UTC(2024, 4, 1, 23, 59, 59);
const NEXT = Date.UTC(2024, 4, 2, 0, 0, 1);

async function driver(extra: Record<string, unknown>): Promise<StreamingSinkDriver<S3Payload>> {
  const c = awsS3SinkSchema.parse({ type: 'aws_s3', inputs: ['edge'], bucket: 'logs', endpoint: 'http://127.0.0.1:9', force_path_style: true, auth: { access_key_id: 'a', secret_access_key: 'b' }, ...extra });
  return (await awsS3Sink.build(c, testContext('archive', 'aws_s3'))) as StreamingSinkDriver<S3Payload>;
}

describe('aws_s3 encode', () => {
  test('one gzip member per rendered prefix, lines in event order', async () => {
    const d = await driver({ key_prefix: 'edge/%F/', encoding: { codec: 'raw' } });
    const evs = [makeLogEvent('e', '1', LATE, {}, 'a', 1), makeLogEvent('e', '2', NEXT, {}, 'b', 1), makeLogEvent('e', '3', LATE, {}, 'c', 1)];
    const p = await d.encode(evs);
    assert.deepEqual(p.groups.map((g) => g.prefix), ['edge/2024-05-01/', 'edge/2024-05-02/']);
    assert.equal(gunzipSync(p.groups[0]!.body).toString(), 'a\nc\n');
    assert.equal(gunzipSync(p.groups[1]!.body).toString(), 'b\n');
    assert.equal(p.bytes, p.groups[0]!.body.length + p.groups[1]!.body.length);
    assert.deepEqual(p.groups.map((o) => o.done), [false, false]);
    await d.close?.();
  });

  test('compression none: the plain ndjson body', async () => {
    const d = await driver({ key_prefix: '', compression: 'none' });
    const p = await d.encode([makeLogEvent('e', 'id-1', LATE, { status: 200 }, 'x', 1)]);
    assert.equal(p.groups[0]!.prefix, '');
    assert.equal(p.groups[0]!.body.toString(), '{"timestamp":"2024-05-01T23:59:59.000Z","status":200,"event_id":"id-1"}\n');
    await d.close?.();
  });
});
