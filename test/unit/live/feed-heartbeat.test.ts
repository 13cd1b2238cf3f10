/** The /live heartbeat: a client that answers pings stays, one that does not is terminated. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { attachLiveFeed } from '../../../src/live/feed.js';
import { waitFor } from '../../helpers/context.js';

test('a client that stops answering pings is terminated; a live one is kept', { timeout: 60_000 }, async () => {
  const server = createServer((_req, res) => res.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const feed = attachLiveFeed(server, { heartbeatMs: 100, store: () => undefined });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/live`;
  const open = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  const live = await open();
  const dead = await open();
  let pings = 0;
  live.on('ping', () => pings++);
  try {
    await waitFor(() => feed.stats().clients === 2, 'two clients');
    dead.pause(); // reads nothing, so never answers a ping
    await waitFor(() => feed.stats().clients === 1, 'the silent client terminated', 30_000);
    await waitFor(() => pings >= 3, 'the live client pinged repeatedly', 30_000);
    assert.equal(feed.stats().clients, 1);
    assert.equal(live.readyState, WebSocket.OPEN);
  } finally {
    live.terminate();
    dead.terminate();
    await feed.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
