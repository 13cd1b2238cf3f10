import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RETRY_AFTER_MS, raceSignal, realTiming, retryDelayMs } from '../../../src/delivery/retry.js';

describe('retryDelayMs', () => {
  const policy = { initialMs: 1000, maxMs: 30_000 };

  test('full jitter over an exponential ceiling capped at maxMs', () => {
    assert.equal(retryDelayMs(policy, 0, undefined, () => 0.5), 500);
    assert.equal(retryDelayMs(policy, 1, undefined, () => 0.5), 1000);
    assert.equal(retryDelayMs(policy, 3, undefined, () => 0.25), 2000);
    assert.equal(retryDelayMs(policy, 5, undefined, () => 0.5), 15_000); // 32 s ceiling capped to 30 s
    assert.equal(retryDelayMs(policy, 500, undefined, () => 0.5), 15_000); // no overflow on long outages
    assert.equal(retryDelayMs(policy, 2, undefined, () => 0), 0);
  });

  test('Retry-After replaces the backoff, capped at 10 minutes; zero or invalid values are ignored', () => {
    assert.equal(MAX_RETRY_AFTER_MS, 600_000);
    assert.equal(retryDelayMs(policy, 7, 2500, () => 0.5), 2500);
    assert.equal(retryDelayMs(policy, 0, 86_400_000, () => 0.5), 600_000);
    assert.equal(retryDelayMs(policy, 0, 0, () => 0.5), 500);
    assert.equal(retryDelayMs(policy, 0, Number.NaN, () => 0.5), 500);
  });
});

describe('raceSignal', () => {
  test('settles like the promise when the signal stays quiet', async () => {
    const ctl = new AbortController();
    assert.equal(await raceSignal(Promise.resolve(7), ctl.signal), 7);
    await assert.rejects(raceSignal(Promise.reject(new Error('boom')), ctl.signal), /boom/);
  });

  test('rejects with the abort reason as soon as the signal aborts, even if the promise never settles', async () => {
    const ctl = new AbortController();
    const p = raceSignal(new Promise<number>(() => {}), ctl.signal);
    ctl.abort(new Error('deadline'));
    await assert.rejects(p, /deadline/);
    await assert.rejects(raceSignal(Promise.resolve(1), ctl.signal), /deadline/);
  });
});

test('realTiming.sleep ends early when its signal aborts', async () => {
  const ctl = new AbortController();
  const p = realTiming.sleep(3_600_000, ctl.signal);
  ctl.abort();
  await p; // would hang the test for an hour otherwise
});
