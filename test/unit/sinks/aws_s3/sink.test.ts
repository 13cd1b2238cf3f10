import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { makeLogEvent } from '../../../../src/core/event.js';
import { awsS3SinkSchema } from '../../../../sinks/aws_s3/config.js';
import { awsS3Sink } from '../../../../sinks/aws_s3/index.js';
import type { S3Payload } from '../../../../sinks/aws_s3/sink.js';
import type { SinkDriver } from '../../../../src/delivery/types.js';
import { testContext } from '../../../helpers/context.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const LATE = Date.UTC(2024, 4, 1, 23, 59, 59);
const NEXT = Date.UTC(2024, 4, 2, 0, 0, 1);

async function driver(extra: Record<string, unknown>): Promise<SinkDriver<S3Payload>> {
  const c = awsS3SinkSchema.parse({ type: 'aws_s3', inputs: ['edge'], bucket: 'logs', endpoint: 'http://127.0.0.1:9', force_path_style: true, auth: { access_key_id: 'a', secret_access_key: 'b' }, ...extra });
  return (await awsS3Sink.build(c, testContext('archive', 'aws_s3'))) as SinkDriver<S3Payload>;
}

describe('aws_s3 encode', () => {
  test('one gzip object per rendered prefix, lines in event order, keys fixed at encode', async () => {
    const d = await driver({ key_prefix: 'edge/%F/', encoding: { codec: 'raw' } });
    const evs = [makeLogEvent('e', '1', LATE, {}, 'a', 1), makeLogEvent('e', '2', NEXT, {}, 'b', 1), makeLogEvent('e', '3', LATE, {}, 'c', 1)];
    const before = Math.floor(Date.now() / 1000);
    const p = await d.encode(evs);
    const after = Math.floor(Date.now() / 1000);
    assert.equal(p.objects.length, 2);
    assert.match(p.objects[0]!.key, new RegExp(`^edge/2024-05-01/\\d+-${UUID}\\.log\\.gz$`));
    assert.match(p.objects[1]!.key, new RegExp(`^edge/2024-05-02/\\d+-${UUID}\\.log\\.gz$`));
    const secs = Number(p.objects[0]!.key.split('/')[2]!.split('-')[0]);
    assert.ok(secs >= before && secs <= after);
    assert.equal(gunzipSync(p.objects[0]!.body).toString(), 'a\nc\n');
    assert.equal(gunzipSync(p.objects[1]!.body).toString(), 'b\n');
    assert.equal(p.bytes, p.objects[0]!.body.length + p.objects[1]!.body.length);
    assert.deepEqual(p.objects.map((o) => o.done), [false, false]);
    await d.close?.();
  });

  test('compression none: .log keys and the plain ndjson body', async () => {
    const d = await driver({ key_prefix: '', compression: 'none' });
    const p = await d.encode([makeLogEvent('e', 'id-1', LATE, { status: 200 }, 'x', 1)]);
    assert.match(p.objects[0]!.key, new RegExp(`^\\d+-${UUID}\\.log$`));
    assert.equal(p.objects[0]!.body.toString(), '{"timestamp":"2024-05-01T23:59:59.000Z","status":200,"event_id":"id-1"}\n');
    await d.close?.();
  });
});
