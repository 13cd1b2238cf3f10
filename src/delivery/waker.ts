/** One sleeper (the runner's delivery loop) that anyone can wake early; a sleep may also time out. */
export class Waker {
  #resolve: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** Resolves on wake() or after `ms` (never, without `ms`, until woken). */
  sleep(ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#resolve = resolve;
      if (ms !== undefined) this.#timer = setTimeout(() => this.wake(), ms);
    });
  }

  wake(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const r = this.#resolve;
    this.#resolve = undefined;
    r?.();
  }
}
