/**
 * `kafka` sink: one message per event (value = the event's wire JSON, key = `key_field`, header
 * `edgetail_source` = source component id), sent with an idempotent producer, acks=-1. send()
 * resolves ok only after the broker acknowledged every message of the batch, so the runner releases
 * the batch's finalizer only then. kafkajs retries are kept low: the runner owns retries.
 */
import kafkajs, { CompressionTypes, Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { ComponentContext } from '../../src/core/component.js';
import type { Event } from '../../src/core/event.js';
import { errorMessage } from '../../src/core/errors.js';
import { eventToJson } from '../../src/delivery/encoding.js';
import type { SendResult, SinkDriver } from '../../src/delivery/types.js';
import { OK } from '../../src/delivery/types.js';
import { kafkaLogCreator } from '../../src/sources/kafka/kafkajs-log.js';
import type { KafkaSinkConfig } from './config.js';
import { compileTopicTemplate } from './topic.js';

export { kafkaLogCreator };

/** Header carrying the id of the source component that produced the event. */
export const SOURCE_HEADER = 'edgetail_source';

export interface KafkaPayload {
  topicMessages: TopicMessages[];
  bytes: number;
}

/** Groups a batch into per-topic message lists (topic order: first seen). */
export function encodeKafkaMessages(events: readonly Event[], config: Pick<KafkaSinkConfig, 'topic' | 'key_field' | 'encoding'>): KafkaPayload {
  const tpl = compileTopicTemplate(config.topic);
  const keyField = config.key_field;
  const byTopic = new Map<string, Message[]>();
  let bytes = 0;
  let constantList: Message[] | undefined;
  if (tpl.constant) {
    constantList = [];
    byTopic.set(config.topic, constantList);
  }
  for (let i = 0; i < events.length; i++) {
    const ev = events[i]!;
    const value = eventToJson(ev, config.encoding);
    let key: string | null = null;
    if (keyField !== undefined) {
      const k = ev.type === 'log' ? ev.fields[keyField] : ev.tags[keyField];
      if (k !== undefined && k !== null) key = typeof k === 'string' ? k : JSON.stringify(k);
    }
    const msg: Message = { key, value, headers: { [SOURCE_HEADER]: ev.source } };
    bytes += value.length + (key === null ? 0 : key.length);
    let list = constantList;
    if (list === undefined) {
      const topic = tpl.render(ev);
      list = byTopic.get(topic);
      if (list === undefined) byTopic.set(topic, (list = []));
    }
    list.push(msg);
  }
  const topicMessages: TopicMessages[] = [];
  for (const [topic, messages] of byTopic) if (messages.length > 0) topicMessages.push({ topic, messages });
  return { topicMessages, bytes };
}

// kafkajs is CommonJS: its error classes are only reachable through the default export.
const { KafkaJSError } = kafkajs;

const RETRYABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
  'KafkaJSConnectionClosedError',
]);

/** retriable kafkajs errors and connection failures → retryable; other broker refusals → permanent. */
export function classifyKafkaError(err: unknown): SendResult {
  const reason = errorMessage(err);
  if (err instanceof KafkaJSError) {
    if (err.retriable || RETRYABLE_NAMES.has(err.name)) return { kind: 'retryable', reason };
    // kafkajs gives up after its own (few) retries with a non-retriable wrapper around the real cause.
    const cause = (err as { cause?: unknown }).cause ?? (err as { originalError?: unknown }).originalError;
    if (err.name === 'KafkaJSNumberOfRetriesExceeded' || (cause instanceof KafkaJSError && cause.retriable)) return { kind: 'retryable', reason };
    return { kind: 'permanent', reason };
  }
  // Not from kafkajs: a network failure below it.
  return { kind: 'retryable', reason };
}

export function buildKafkaSink(config: KafkaSinkConfig, ctx: ComponentContext): SinkDriver<KafkaPayload> {
  const timeoutMs = Math.round(config.request.timeout_secs * 1000);
  const kafka = new Kafka({
    clientId: config.client_id,
    brokers: config.bootstrap_servers,
    connectionTimeout: Math.min(timeoutMs, 10_000),
    requestTimeout: timeoutMs,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    logCreator: kafkaLogCreator(ctx.logger.child({ kafkajs: 'producer' })),
  });
  // Idempotent: the broker drops a resent duplicate. kafkajs assigns sequence numbers per send, so
  // concurrent sends could collide: the driver is serial and one request is in flight.
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: true,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  let connecting: Promise<void> | undefined;
  const connect = (): Promise<void> => {
    if (!connecting) {
      connecting = producer.connect().catch((err: unknown) => {
        connecting = undefined;
        throw err;
      });
    }
    return connecting;
  };
  producer.on(producer.events.DISCONNECT, () => {
    connecting = undefined;
  });
  const compression = config.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;

  return {
    serial: true,
    encode: (events: Event[]) => encodeKafkaMessages(events, config),
    async send(payload: KafkaPayload, signal: AbortSignal): Promise<SendResult> {
      if (signal.aborted) return { kind: 'retryable', reason: 'aborted' };
      try {
        await connect();
        await producer.sendBatch({ topicMessages: payload.topicMessages, acks: config.acks, compression, timeout: timeoutMs });
        return OK;
      } catch (err) {
        return classifyKafkaError(err);
      }
    },
    payloadBytes: (p) => p.bytes,
    async healthcheck(): Promise<void> {
      await connect();
    },
    async close(): Promise<void> {
      await producer.disconnect().catch(() => undefined);
    },
  };
}
