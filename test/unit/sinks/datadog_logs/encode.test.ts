import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { entryBytes, jsonStringBytes, type LogItem } from '../../../../sinks/datadog_logs/encode.js';

test('entryBytes equals the serialized entry plus its comma, for any strings (property)', () => {
  const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('say "hi" \\ back', '{"a":"\\"x\\""}', 'tab\there', 'é😀', '\ud800 lone', '\u2028'));
  fc.assert(
    fc.property(text, text, fc.option(text, { nil: undefined }), fc.option(text, { nil: undefined }), fc.option(text, { nil: undefined }), (ddsource, message, ddtags, hostname, service) => {
      const item: LogItem = { ddsource, message };
      if (ddtags !== undefined) item.ddtags = ddtags;
      if (hostname !== undefined) item.hostname = hostname;
      if (service !== undefined) item.service = service;
      assert.equal(entryBytes(item), Buffer.byteLength(JSON.stringify(item)) + 1);
      assert.equal(jsonStringBytes(message), Buffer.byteLength(JSON.stringify(message)));
    }),
    { numRuns: 1000 },
  );
});
