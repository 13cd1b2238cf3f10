import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { awsS3SinkSchema } from '../../../../sinks/aws_s3/config.js';
import { resolveRegion, s3ClientConfig } from '../../../../sinks/aws_s3/sink.js';

const base = { type: 'aws_s3', inputs: ['edge'], bucket: 'my-logs' };

describe('aws_s3 config', () => {
  test('defaults: gzip, ndjson, date=%F/ prefix, virtual-hosted style', () => {
    const c = awsS3SinkSchema.parse(base);
    assert.equal(c.compression, 'gzip');
    assert.equal(c.encoding.codec, 'ndjson');
    assert.equal(c.key_prefix, 'date=%F/');
    assert.equal(c.force_path_style, false);
    assert.equal(c.auth, undefined);
  });

  test('unknown keys, the json codec and bad bucket names are rejected', () => {
    assert.equal(awsS3SinkSchema.safeParse({ ...base, prefix: 'x' }).success, false);
    assert.equal(awsS3SinkSchema.safeParse({ ...base, encoding: { codec: 'json' } }).success, false);
    assert.equal(awsS3SinkSchema.safeParse({ ...base, bucket: 'My_Bucket' }).success, false);
    assert.equal(awsS3SinkSchema.safeParse({ ...base, endpoint: 'ftp://x' }).success, false);
  });

  test('static credentials are secrets and reach the client config; the SDK does not retry', () => {
    const c = awsS3SinkSchema.parse({ ...base, region: 'eu-west-1', endpoint: 'http://127.0.0.1:9000', force_path_style: true, auth: { access_key_id: 'AKID', secret_access_key: 'sekrit' } });
    assert.equal(JSON.stringify(c.auth), '{"access_key_id":"[secret]","secret_access_key":"[secret]"}');
    const cc = s3ClientConfig(c);
    assert.deepEqual(cc.credentials, { accessKeyId: 'AKID', secretAccessKey: 'sekrit' });
    assert.equal(cc.region, 'eu-west-1');
    assert.equal(cc.endpoint, 'http://127.0.0.1:9000');
    assert.equal(cc.forcePathStyle, true);
    assert.equal(cc.requestChecksumCalculation, 'WHEN_REQUIRED');
    assert.equal(cc.maxAttempts, 1);
  });

  test('region falls back to AWS_REGION, AWS_DEFAULT_REGION, then us-east-1', () => {
    const c = awsS3SinkSchema.parse(base);
    assert.equal(resolveRegion(c, { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'eu-north-1' }), 'ap-south-1');
    assert.equal(resolveRegion(c, { AWS_DEFAULT_REGION: 'eu-north-1' }), 'eu-north-1');
    assert.equal(resolveRegion(c, {}), 'us-east-1');
  });
});
