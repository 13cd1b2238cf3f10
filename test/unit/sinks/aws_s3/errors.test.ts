import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Secret } from '../../../../src/core/secret.js';
import { classifyS3Error } from '../../../../sinks/aws_s3/errors.js';

/** An error shaped like the SDK's S3ServiceException. */
function sdkError(name: string, status: number, message: string, headers: Record<string, string> = {}): Error {
  const e = new Error(message) as Error & { $metadata: object; $response: object };
  e.name = name;
  e.$metadata = { httpStatusCode: status };
  e.$response = { statusCode: status, headers };
  return e;
}

const SECRETS = [new Secret('AKIDEXAMPLE123'), new Secret('wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY')];

describe('aws_s3 error classification', () => {
  test('authentication, authorization and missing bucket are permanent with the code and status', () => {
    for (const [name, status] of [['AccessDenied', 403], ['NoSuchBucket', 404], ['InvalidAccessKeyId', 403], ['SignatureDoesNotMatch', 403]] as const) {
      const r = classifyS3Error(sdkError(name, status, 'nope'), 'upload', SECRETS);
      assert.deepEqual(r, { kind: 'permanent', reason: `S3 upload failed: ${name} (HTTP ${status}): nope` });
    }
  });

  test('throttling and 5xx are retryable; Retry-After is honoured', () => {
    assert.deepEqual(classifyS3Error(sdkError('SlowDown', 503, 'Please reduce your request rate.', { 'retry-after': '7' }), 'upload', []), {
      kind: 'retryable',
      reason: 'S3 upload failed: SlowDown (HTTP 503): Please reduce your request rate.',
      afterMs: 7000,
    });
    assert.equal(classifyS3Error(sdkError('InternalError', 500, 'x'), 'upload', []).kind, 'retryable');
    assert.equal(classifyS3Error(sdkError('Unknown', 429, 'x'), 'upload', []).kind, 'retryable');
    assert.equal(classifyS3Error(sdkError('RequestTimeout', 400, 'x'), 'upload', []).kind, 'retryable');
    assert.equal('afterMs' in classifyS3Error(sdkError('InternalError', 500, 'x'), 'upload', []), false);
  });

  test('a network error (no HTTP response) is retryable', () => {
    const e = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    assert.deepEqual(classifyS3Error(e, 'upload', []), { kind: 'retryable', reason: 'S3 upload failed: Error: connect ECONNREFUSED 127.0.0.1:9' });
  });

  test('an aborted request is retryable and says so', () => {
    const ac = new AbortController();
    ac.abort();
    assert.deepEqual(classifyS3Error(new Error('Request aborted'), 'upload', [], ac.signal), { kind: 'retryable', reason: 'S3 upload cancelled (timeout or shutdown)' });
  });

  test('secrets echoed by the server are redacted from the reason', () => {
    const r = classifyS3Error(sdkError('InvalidAccessKeyId', 403, 'The access key AKIDEXAMPLE123 and wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY are bad'), 'upload', SECRETS);
    assert.equal(r.reason, 'S3 upload failed: InvalidAccessKeyId (HTTP 403): The access key [secret] and [secret] are bad');
  });
});
