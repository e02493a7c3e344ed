import type { Clock, TimerHandle } from '../../runtime/index.js';

/**
 * Wake-ups for many keys on few timers: keys due at the same instant share one clock timer (a
 * thousand restarts made in one transaction with one delay wait on a single timer).
 *
 * @internal
 */
export class DueTimers {
  private readonly byTime = new Map<number, { handle: TimerHandle; keys: Set<string> }>();

  constructor(
    private readonly clock: Clock,
    private readonly fire: (keys: readonly string[]) => void,
  ) {}

  /** Calls back with `key` at `time` (at once, on the clock, when `time` has passed). */
  at(time: number, key: string): void {
    const when = Math.max(time, this.clock.now());
    let slot = this.byTime.get(when);
    if (slot === undefined) {
      const keys = new Set<string>();
      const handle = this.clock.setTimeout(() => {
        this.byTime.delete(when);
        this.fire([...keys]);
      }, when - this.clock.now());
      slot = { handle, keys };
      this.byTime.set(when, slot);
    }
    slot.keys.add(key);
  }

  /** Cancels every wake-up. */
  clear(): void {
    for (const { handle } of this.byTime.values()) this.clock.clearTimeout(handle);
    this.byTime.clear();
  }

  /** Number of timers armed. */
  get size(): number {
    return this.byTime.size;
  }
}
