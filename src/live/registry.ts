/**
 * The process's shared rollup store: every `live` sink writes into it, the API server's rt routes
 * (and the live feed) read from it. Reference-counted so that a topology restart in the same
 * process (tests, reloads) starts from a fresh store once the last live sink has closed.
 */
import { LiveStore, type RollupOptions } from './rollup.js';

let current: { store: LiveStore; refs: number } | undefined;

/** The current store, or undefined when no live sink is running. */
export function getLiveStore(): LiveStore | undefined {
  return current?.store;
}

/**
 * Takes a reference on the shared store, creating it with `opts` when there is none. A later
 * caller with a larger retention does not resize the running store (first one wins).
 */
export function acquireLiveStore(opts: RollupOptions = {}): LiveStore {
  if (current === undefined) current = { store: new LiveStore(opts), refs: 0 };
  current.refs++;
  return current.store;
}

/** Drops a reference taken by acquireLiveStore; the store is forgotten when none remain. */
export function releaseLiveStore(store: LiveStore): void {
  if (current === undefined || current.store !== store) return;
  current.refs--;
  if (current.refs <= 0) current = undefined;
}

/** Installs a store directly (tests, embedding), or clears it with undefined. */
export function registerLiveStore(store: LiveStore | undefined): void {
  current = store === undefined ? undefined : { store, refs: 1 };
}
