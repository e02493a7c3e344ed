import { TimeoutError } from '../errors/index.js';
import { parseDuration, VirtualClock, type Clock, type Duration } from '../runtime/index.js';

/**
 * Waits for conditions, on either clock: under a virtual clock it advances virtual time until
 * the condition holds (so a simulated wait of minutes takes milliseconds); under a real clock it
 * re-checks whenever `subscribe`'s callback fires. Every wait has a timeout and rejects with a
 * `TimeoutError` saying what it waited for. @internal
 */
export class Waiter {
  constructor(
    private readonly clock: Clock,
    private readonly defaultTimeout: number,
    private readonly subscribe: (onChange: () => void) => () => void,
  ) {}

  /** Resolves once `predicate()` is true. */
  async until(predicate: () => boolean, waitingFor: string, timeout?: Duration): Promise<void> {
    const ms = timeout === undefined ? this.defaultTimeout : parseDuration(timeout, 'timeout');
    if (predicate()) return;
    if (this.clock instanceof VirtualClock) {
      const ok = await this.clock.advanceUntilAsync(predicate, { timeout: ms });
      if (!ok) throw new TimeoutError(waitingFor, ms);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (err?: unknown): void => {
        if (done) return;
        done = true;
        unsubscribe();
        this.clock.clearTimeout(timer);
        if (err === undefined) resolve();
        else reject(err instanceof Error ? err : new Error(String(err)));
      };
      const check = (): void => {
        try {
          if (predicate()) finish();
        } catch (err) {
          finish(err);
        }
      };
      const unsubscribe = this.subscribe(check);
      const timer = this.clock.setTimeout(() => finish(new TimeoutError(waitingFor, ms)), ms);
      check();
    });
  }

  /** Resolves with `promise`, advancing virtual time while it is pending. */
  async settle<T>(promise: Promise<T>, waitingFor: string, timeout?: Duration): Promise<T> {
    const ms = timeout === undefined ? this.defaultTimeout : parseDuration(timeout, 'timeout');
    if (this.clock instanceof VirtualClock) return this.clock.settle(promise, { timeout: ms, waitingFor });
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = this.clock.setTimeout(() => reject(new TimeoutError(waitingFor, ms)), ms);
    });
    try {
      return await Promise.race([promise, deadline]);
    } finally {
      if (timer !== undefined) this.clock.clearTimeout(timer);
    }
  }
}
