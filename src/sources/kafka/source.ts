/**
 * The `kafka` source: a consumer group member. Each fetched batch (one topic-partition) is decoded
 * and emitted with a Finalizer; its offset is committed only after the finalizer fires (every sink
 * took the batch), in fetch order per partition (CommitTracker), never on receipt. Fetching continues
 * while earlier batches are in flight (emit's backpressure bounds memory). Stop: pause fetching,
 * wait (bounded) for in-flight batches, commit what finalized, disconnect. A rebalance may redeliver
 * a partition's unfinalized tail to its new owner: delivery is at least once.
 */
import { Kafka, type Consumer, type EachBatchPayload } from 'kafkajs';
import type { Source, SourceContext } from '../../core/component.js';
import type { Event } from '../../core/event.js';
import { errorMessage } from '../../core/errors.js';
import { Finalizer, type BatchStatus } from '../../core/finalizer.js';
import { CommitTracker } from './commits.js';
import { topicSubscriptions, type KafkaSourceConfig } from './config.js';
import { makeDecoder, type Decoder } from './decode.js';
import { kafkaLogCreator } from './kafkajs-log.js';

const COMMIT_DELAY_MS = 200;

export class KafkaSource implements Source {
  private readonly consumer: Consumer;
  private readonly tracker = new CommitTracker();
  private readonly decode: Decoder;
  private stopping = false;
  private booting: Promise<void> = Promise.resolve();
  private inHandler: Promise<void> | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> = Promise.resolve();
  private readonly lagByPartition = new Map<string, string>();
  private committedBatches = 0;
  private erroredBatches = 0;

  constructor(
    private readonly config: KafkaSourceConfig,
    private readonly ctx: SourceContext,
  ) {
    const kafka = new Kafka({
      clientId: config.client_id,
      brokers: config.bootstrap_servers,
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
      logCreator: kafkaLogCreator(ctx.logger.child({ kafkajs: 'consumer' })),
    });
    this.consumer = kafka.consumer({ groupId: config.group_id, sessionTimeout: config.session_timeout_ms, heartbeatInterval: 3000 });
    this.decode = makeDecoder(config.format);
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => this.onAssignment(e.payload.memberAssignment));
  }

  /** After each rebalance: forget the lag series of partitions this member no longer owns. */
  private onAssignment(assignment: Record<string, number[]>): void {
    const owned = new Set<string>();
    for (const [topic, parts] of Object.entries(assignment)) for (const p of parts) owned.add(`${topic}/${p}`);
    for (const key of [...this.lagByPartition.keys()]) {
      if (owned.has(key)) continue;
      this.lagByPartition.delete(key);
      const slash = key.lastIndexOf('/');
      this.ctx.metrics.partitionLag?.(key.slice(0, slash), Number(key.slice(slash + 1)), undefined);
    }
    this.ctx.logger.info({ assignment }, 'kafka partitions assigned');
  }

  /** Returns at once: joining the group (and waiting for the broker or the topic to exist) goes on
   *  in the background, retried with backoff until it succeeds or the source stops. */
  async start(): Promise<void> {
    this.booting = this.boot();
  }

  private async boot(): Promise<void> {
    let backoff = 500;
    while (!this.stopping) {
      try {
        await this.consumer.connect();
        await this.consumer.subscribe({ topics: topicSubscriptions(this.config.topics), fromBeginning: this.config.start_from === 'earliest' });
        await this.consumer.run({
          autoCommit: false,
          // Resolving moves kafkajs's fetch position only; offsets are committed by us, after finalization.
          eachBatchAutoResolve: true,
          eachBatch: (p) => {
            const run = this.onBatch(p);
            this.inHandler = run;
            return run;
          },
        });
        return;
      } catch (err) {
        this.ctx.metrics.error('connect_failed', 'receiving');
        this.ctx.logger.warn({ err: errorMessage(err), retry_in_ms: backoff }, 'kafka consumer could not join; retrying');
        await new Promise((r) => setTimeout(r, backoff).unref());
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  private async onBatch({ batch, isRunning, isStale, heartbeat }: EachBatchPayload): Promise<void> {
    if (this.stopping || !isRunning() || isStale()) return;
    const msgs = batch.messages;
    if (msgs.length === 0) return;
    const source = this.ctx.id;
    const prefix = `${batch.topic}:${batch.partition}:`;
    const events: Event[] = [];
    let bytes = 0;
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i]!;
      const value = m.value === null ? '' : m.value.toString('utf8');
      bytes += value.length;
      const ev = this.decode({ value, id: prefix + m.offset, arrival: Number(m.timestamp) }, source);
      if (ev !== null) events.push(ev);
    }
    const last = msgs[msgs.length - 1]!;
    this.ctx.metrics.lag(Math.max(0, (Date.now() - Number(last.timestamp)) / 1000));
    const behind = batch.offsetLag();
    this.lagByPartition.set(`${batch.topic}/${batch.partition}`, behind);
    this.ctx.metrics.partitionLag?.(batch.topic, batch.partition, Number(behind));
    const done = this.tracker.register(batch.topic, batch.partition, last.offset);
    const fin = new Finalizer((status: BatchStatus) => {
      if (status === 'errored') this.erroredBatches++;
      done();
      this.scheduleCommit();
    });
    this.ctx.metrics.received(events.length, bytes);
    if (events.length === 0) {
      fin.release();
      return;
    }
    await this.ctx.emit(events, fin);
    if (isRunning() && !this.stopping) await heartbeat().catch(() => undefined);
  }

  private scheduleCommit(): void {
    if (this.commitTimer || this.stopping) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = undefined;
      void this.commitNow();
    }, COMMIT_DELAY_MS);
  }

  /** Commits every offset that became committable; serialized, failures put back for the next try. */
  private commitNow(): Promise<void> {
    this.committing = this.committing.then(async () => {
      const points = this.tracker.take();
      if (points.length === 0) return;
      try {
        await this.consumer.commitOffsets(points);
        this.committedBatches += points.length;
      } catch (err) {
        this.tracker.putBack(points);
        this.ctx.metrics.error('commit_failed', 'sending');
        this.ctx.logger.warn({ err: errorMessage(err) }, 'kafka offset commit failed; will retry');
      }
    });
    return this.committing;
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // No more fetches; the handler in progress (possibly blocked in emit) ends on its own.
    try {
      this.consumer.pause(topicSubscriptions(this.config.topics).filter((t): t is string => typeof t === 'string').map((topic) => ({ topic })));
    } catch {
      // not running yet
    }
    await Promise.race([this.booting, new Promise((r) => setTimeout(r, this.config.drain_timeout_ms).unref())]);
    if (this.inHandler) {
      await Promise.race([this.inHandler.catch(() => undefined), new Promise((r) => setTimeout(r, this.config.drain_timeout_ms).unref())]);
    }
  }

  async close(): Promise<void> {
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    const drained = await this.tracker.idle(this.config.drain_timeout_ms);
    if (!drained) this.ctx.logger.warn({ pending: this.tracker.pending }, 'kafka source closing with unfinalized batches; they are not committed');
    await this.commitNow();
    await this.consumer.disconnect().catch((err: unknown) => this.ctx.logger.warn({ err: errorMessage(err) }, 'kafka disconnect failed'));
  }

  describe(): Record<string, unknown> {
    return {
      group_id: this.config.group_id,
      topics: this.config.topics,
      in_flight_batches: this.tracker.pending,
      commits: this.committedBatches,
      errored_batches: this.erroredBatches,
      messages_behind: Object.fromEntries(this.lagByPartition),
    };
  }
}
