import type { Clock, TimerHandle } from '../runtime/index.js';

interface Entry<T> {
  at: number;
  tag: T;
  timerAt: number;
  handle: TimerHandle | undefined;
}

/**
 * One deadline per key (a node id), each with a tag saying what expires, on the injected clock.
 * Moving a deadline later costs no timer work: the armed timer re-arms itself for the remaining
 * time when it fires early, so a heartbeat only updates a number.
 *
 * @internal
 */
export class Deadlines<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly clock: Clock,
    private readonly onExpire: (key: string, tag: T) => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The tag of `key`'s deadline, when it has one. */
  tag(key: string): T | undefined {
    return this.entries.get(key)?.tag;
  }

  /** Sets `key` to expire at `at` with `tag`, replacing any deadline it had. */
  set(key: string, at: number, tag: T): void {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      const fresh: Entry<T> = { at, tag, timerAt: at, handle: undefined };
      this.entries.set(key, fresh);
      this.arm(key, fresh);
      return;
    }
    entry.at = at;
    entry.tag = tag;
    if (entry.handle === undefined || entry.timerAt > at) {
      if (entry.handle !== undefined) this.clock.clearTimeout(entry.handle);
      this.arm(key, entry);
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    if (entry.handle !== undefined) this.clock.clearTimeout(entry.handle);
    this.entries.delete(key);
  }

  clear(): void {
    for (const entry of this.entries.values()) if (entry.handle !== undefined) this.clock.clearTimeout(entry.handle);
    this.entries.clear();
  }

  private arm(key: string, entry: Entry<T>): void {
    entry.timerAt = entry.at;
    entry.handle = this.clock.setTimeout(() => {
      entry.handle = undefined;
      if (this.entries.get(key) !== entry) return;
      if (this.clock.now() < entry.at) {
        this.arm(key, entry);
        return;
      }
      this.entries.delete(key);
      this.onExpire(key, entry.tag);
    }, entry.at - this.clock.now());
  }
}
