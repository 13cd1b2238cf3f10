/**
 * The /live WebSocket connection: reconnects with jittered exponential backoff, re-sends the filter
 * and pause state on every (re)connect, and reports its state.
 */
import type { LiveFilter, ServerMsg } from './types.mjs';

export type ConnState = 'connecting' | 'live' | 'paused' | 'reconnecting';

export interface FeedHandlers {
  onMessage(msg: ServerMsg): void;
  onState(state: ConnState, detail: string): void;
}

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 15_000;

export class FeedConnection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: number | undefined;
  private filter: LiveFilter | null = null;
  private paused = false;

  constructor(private readonly url: string, private readonly h: FeedHandlers) {}

  start(): void {
    this.open();
  }

  setFilter(filter: LiveFilter | null): void {
    this.filter = filter;
    this.send({ type: 'filter', filter });
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.send({ type: paused ? 'pause' : 'resume' });
    if (this.ws?.readyState === WebSocket.OPEN) this.h.onState(paused ? 'paused' : 'live', '');
  }

  isPaused(): boolean {
    return this.paused;
  }

  private send(msg: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private open(): void {
    this.h.onState(this.attempt === 0 ? 'connecting' : 'reconnecting', '');
    const ws = new WebSocket(this.url, ['edgetail.v1']);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      if (this.filter) this.send({ type: 'filter', filter: this.filter });
      if (this.paused) this.send({ type: 'pause' });
      this.h.onState(this.paused ? 'paused' : 'live', '');
    };
    ws.onmessage = (ev: MessageEvent) => {
      let msg: ServerMsg;
      try {
        msg = JSON.parse(String(ev.data)) as ServerMsg;
      } catch {
        return;
      }
      this.h.onMessage(msg);
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
      this.attempt++;
      this.h.onState('reconnecting', `closed${ev.code ? ' (' + ev.code + ')' : ''}; retry in ${(delay / 1000).toFixed(1)} s`);
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.open(), delay);
    };
  }
}
