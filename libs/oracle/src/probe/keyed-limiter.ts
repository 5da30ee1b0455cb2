/** Runs at most `limit` tasks at once per key; the others wait in arrival order. */
export class KeyedLimiter {
  private readonly running = new Map<string, number>();
  private readonly queued = new Map<string, (() => void)[]>();

  constructor(private readonly limit: number) {}

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await task();
    } finally {
      this.release(key);
    }
  }

  private acquire(key: string): Promise<void> {
    const running = this.running.get(key) ?? 0;
    if (running < this.limit) {
      this.running.set(key, running + 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const waiting = this.queued.get(key) ?? [];
      waiting.push(resolve);
      this.queued.set(key, waiting);
    });
  }

  private release(key: string): void {
    const next = this.queued.get(key)?.shift();
    if (next) {
      next(); // the slot passes straight to the next task
      return;
    }
    this.queued.delete(key);
    const running = (this.running.get(key) ?? 1) - 1;
    if (running === 0) this.running.delete(key);
    else this.running.set(key, running);
  }
}
