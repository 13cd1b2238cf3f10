import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromEpoch, isDecimal, isDigits, parseAnyTimestamp, parseClf, parseIso } from '../../../src/formats/time.js';

describe('parseIso', () => {
  test('dates, zones, fractions', () => {
    assert.equal(parseIso('2024-05-01'), Date.UTC(2024, 4, 1));
    assert.equal(parseIso('2024-05-01T12:00Z'), Date.UTC(2024, 4, 1, 12));
    assert.equal(parseIso('2024-05-01t12:00:00z'), Date.UTC(2024, 4, 1, 12));
    assert.equal(parseIso('2024-05-01T12:00:00,25+00:00'), Date.UTC(2024, 4, 1, 12, 0, 0, 250));
    assert.equal(parseIso('2024-01-01T00:30:00+01:00'), Date.UTC(2023, 11, 31, 23, 30));
    assert.equal(parseIso('2016-12-31T23:59:60Z'), Date.UTC(2016, 11, 31, 23, 59, 59), 'leap second read as :59');
    assert.equal(parseIso('0050-01-01T00:00:00Z'), -60589296000000, 'years below 100 are not 19xx');
  });
  test('rejects what is not ISO-8601', () => {
    for (const s of ['', '2024', '2024-5-1', '2024-05-01T', '2024-05-01T12', '2024-05-01T12:00:00.Z', '2024-05-01T12:00:00+2',
      '2024-05-01T12:00:00+24:00', '2024-05-01T12:00:00 UTC', '2024-05-01T12:00:00ZZ', '2024-02-30', '2024-00-10', 'x'.repeat(100)]) {
      assert.ok(Number.isNaN(parseIso(s)), s);
    }
  });
});

describe('parseClf', () => {
  test('offsets and month names in any case', () => {
    assert.equal(parseClf('01/May/2024:12:00:00 +0000'), Date.UTC(2024, 4, 1, 12));
    assert.equal(parseClf('01/may/2024:12:00:00 -0130'), Date.UTC(2024, 4, 1, 13, 30));
    assert.equal(parseClf('29/Feb/2024:00:00:00 +0000'), Date.UTC(2024, 1, 29));
  });
  test('rejects malformed stamps', () => {
    for (const s of ['', '1/May/2024:12:00:00 +0000', '01/May/2024:12:00:00 0000', '29/Feb/2023:00:00:00 +0000',
      '01/May/2024 12:00:00 +0000', '01/Mai/2024:12:00:00 +0000', '01/May/2024:24:00:00 +0000']) {
      assert.ok(Number.isNaN(parseClf(s)), s);
    }
  });
});

describe('epoch numbers', () => {
  test('the unit follows the magnitude', () => {
    assert.equal(fromEpoch(0), 0);
    assert.equal(fromEpoch(1.5), 1500);
    assert.equal(fromEpoch(99_999_999_999), 99_999_999_999_000);
    assert.equal(fromEpoch(100_000_000_000), 100_000_000_000);
    assert.equal(fromEpoch(1e14), 1e11);
    assert.equal(fromEpoch(1e17), 1e11);
    assert.ok(Number.isNaN(fromEpoch(1e20)));
    assert.ok(Number.isNaN(fromEpoch(Infinity)));
  });
  test('numeric strings, and non-timestamps', () => {
    assert.equal(parseAnyTimestamp('1714564800'), Date.UTC(2024, 4, 1, 12));
    for (const v of [null, undefined, true, {}, [], '', 'abc', '0x10', '1e9']) assert.ok(Number.isNaN(parseAnyTimestamp(v)), String(v));
  });
  test('isDecimal / isDigits', () => {
    for (const s of ['0', '-1', '12.5', '007']) assert.ok(isDecimal(s), s);
    for (const s of ['', '-', '.5', '5.', '1e3', ' 1', '+1', '0x1', 'Infinity', '1'.repeat(41)]) assert.ok(!isDecimal(s), s);
    assert.ok(isDigits('200'));
    for (const s of ['', '-1', '1.0', '1'.repeat(21)]) assert.ok(!isDigits(s), s);
  });
});

describe('time: properties', () => {
  test('any date in 1970–2200 round-trips through ISO and CLF text', () => {
    fc.assert(fc.property(fc.date({ min: new Date(0), max: new Date(Date.UTC(2200, 0, 1)), noInvalidDate: true }), (d) => {
      const ms = d.getTime();
      assert.equal(parseIso(d.toISOString()), ms);
      const p = (n: number) => String(n).padStart(2, '0');
      const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
      const clf = `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
      assert.equal(parseClf(clf), ms - d.getUTCMilliseconds());
    }), { numRuns: 1000 });
  });
  test('arbitrary strings never throw', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => {
      assert.equal(typeof parseIso(s), 'number');
      assert.equal(typeof parseClf(s), 'number');
      assert.equal(typeof parseAnyTimestamp(s), 'number');
    }), { numRuns: 2000 });
  });
});
