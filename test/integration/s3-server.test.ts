/**
 * The test S3 server (scripts/services.sh start s3) is a real one: it verifies SigV4 signatures and
 * supports multipart uploads and ListObjectsV2, which the aws_s3 sink tests rely on.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { clientFor, getObject, listObjects, newBucket, startS3, type S3Service } from './s3-support.js';

describe('S3 test server', { timeout: 25 * 60_000 }, () => {
  let s3: S3Service;
  before(async () => {
    s3 = await startS3();
  });
  after(() => s3?.client.destroy());

  test('prints the contract lines and accepts correctly signed requests', async () => {
    assert.match(s3.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    const bucket = await newBucket(s3, 'server');
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/b.txt', Body: 'hello\n' }));
    assert.deepEqual((await listObjects(s3, bucket)).map((o) => o.Key), ['a/b.txt']);
    assert.equal((await getObject(s3, bucket, 'a/b.txt')).body.toString(), 'hello\n');
  });

  test('a request signed with a wrong secret is refused (SigV4 is verified)', async () => {
    const bad = clientFor({ ...s3, secretAccessKey: s3.secretAccessKey + 'x' });
    try {
      await assert.rejects(bad.send(new CreateBucketCommand({ Bucket: 'edgetail-never-created' })), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(err.name, 'SignatureDoesNotMatch');
        assert.equal(err.$metadata?.httpStatusCode, 403);
        return true;
      });
      const unknown = clientFor({ ...s3, accessKeyId: 'NOSUCHKEY123' });
      // AWS says InvalidAccessKeyId (403); versitygw says XAdminUserNotFound (404). Refused either way.
      await assert.rejects(unknown.send(new CreateBucketCommand({ Bucket: 'edgetail-never-created' })), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.ok([403, 404].includes(err.$metadata?.httpStatusCode ?? 0), `status ${err.$metadata?.httpStatusCode}`);
        return true;
      });
      unknown.destroy();
    } finally {
      bad.destroy();
    }
  });

  test('multipart uploads complete (three parts)', async () => {
    const bucket = await newBucket(s3, 'server');
    const body = randomBytes(11 * 1024 * 1024);
    await new Upload({ client: s3.client, params: { Bucket: bucket, Key: 'big.bin', Body: body }, partSize: 5 * 1024 * 1024, queueSize: 2 }).done();
    const o = await getObject(s3, bucket, 'big.bin');
    assert.equal(o.body.length, body.length);
    assert.ok(o.body.equals(body));
    // A multipart ETag is "<md5 of part md5s>-<part count>".
    assert.match(o.etag ?? '', /-3"?$/);
  });
});
