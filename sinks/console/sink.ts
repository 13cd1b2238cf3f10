/**
 * `console` sink: writes each batch to stdout (or stderr) as NDJSON or raw lines. Serial; a send
 * resolves when the stream has taken the bytes (its write callback), which is the backpressure.
 * A closed stream (EPIPE) cannot come back: permanent.
 */
import type { ComponentContext } from '../../src/core/component.js';
import type { Event } from '../../src/core/event.js';
import { encodeNdjson, encodeRaw } from '../../src/delivery/encoding.js';
import { OK, type SendResult, type SinkDriver } from '../../src/delivery/types.js';
import type { ConsoleSinkConfig } from './config.js';

export function buildConsoleDriver(config: ConsoleSinkConfig, stream: NodeJS.WritableStream): SinkDriver<string> {
  const encode = config.encoding.codec === 'raw' ? encodeRaw : encodeNdjson;
  // Without a listener, a stream 'error' (EPIPE when the reader goes away) would crash the process;
  // the write callback below carries the same error to the runner.
  const onError = (): void => {};
  stream.on('error', onError);
  return {
    serial: true,
    encode: (events: Event[]) => encode(events, config.encoding),
    send(payload: string): Promise<SendResult> {
      return new Promise((resolve) => {
        stream.write(payload, (err?: Error | null) => {
          if (!err) return resolve(OK);
          const code = (err as NodeJS.ErrnoException).code ?? 'error';
          resolve(code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' ? { kind: 'permanent', reason: `${config.target} closed: ${code}` } : { kind: 'retryable', reason: `${config.target} write failed: ${code}` });
        });
      });
    },
    payloadBytes: (p) => Buffer.byteLength(p),
    async close() {
      stream.off('error', onError);
    },
  };
}

export function buildConsoleSink(config: ConsoleSinkConfig, _ctx: ComponentContext): SinkDriver<string> {
  return buildConsoleDriver(config, config.target === 'stderr' ? process.stderr : process.stdout);
}
