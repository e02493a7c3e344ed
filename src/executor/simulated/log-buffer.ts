import type { LogLine, LogOptions } from '../executor.js';

/**
 * A container's output: the last `capacity` lines (older ones are dropped, as a log driver with
 * a size limit would), and live followers.
 *
 * @internal
 */
export class LogBuffer {
  private readonly lines: LogLine[] = [];
  private head = 0;
  private readonly followers = new Set<LogFollower>();
  private ended = false;

  constructor(private readonly capacity: number) {}

  append(line: LogLine): void {
    if (this.ended) return;
    if (this.capacity > 0) {
      this.lines.push(line);
      if (this.lines.length - this.head > this.capacity) this.head++;
      if (this.head > 1024 && this.head * 2 > this.lines.length) {
        this.lines.splice(0, this.head);
        this.head = 0;
      }
    }
    this.broadcast(line);
  }

  /** Gives `line` to the followers without storing it. */
  broadcast(line: LogLine): void {
    for (const f of this.followers) f.push(line);
  }

  /** No more lines will come (the container exited or was removed); followers finish. */
  end(): void {
    this.ended = true;
    for (const f of this.followers) f.finish();
    this.followers.clear();
  }

  /**
   * An iterator over `before`, the stored lines and `after`, filtered by `since` and `tail`;
   * with `follow`, every later line until the end.
   */
  read(options: LogOptions, before: readonly LogLine[] = [], after: readonly LogLine[] = []): AsyncIterableIterator<LogLine> {
    let backlog = [...before, ...this.lines.slice(this.head), ...after];
    if (options.since !== undefined) {
      const since = options.since;
      backlog = backlog.filter((l) => l.timestamp >= since);
    }
    if (options.tail !== undefined) backlog = options.tail <= 0 ? [] : backlog.slice(-options.tail);
    const follower = new LogFollower(backlog, Math.max(this.capacity, 100), (f) => this.followers.delete(f));
    if (options.follow === true && !this.ended) this.followers.add(follower);
    else follower.finish();
    return follower;
  }
}

/**
 * One reader of a log. Lines queue up while nobody calls `next` (bounded: the oldest are dropped
 * beyond the buffer's capacity); `return` detaches it at once, even while a `next` waits.
 */
class LogFollower implements AsyncIterableIterator<LogLine> {
  private readonly queue: LogLine[];
  private done = false;
  private waiting: ((r: IteratorResult<LogLine>) => void) | undefined;

  constructor(
    backlog: LogLine[],
    private readonly capacity: number,
    private readonly detach: (f: LogFollower) => void,
  ) {
    this.queue = backlog;
  }

  push(line: LogLine): void {
    if (this.waiting !== undefined) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: line, done: false });
      return;
    }
    this.queue.push(line);
    if (this.queue.length > this.capacity) this.queue.shift();
  }

  finish(): void {
    this.done = true;
    if (this.waiting !== undefined && this.queue.length === 0) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<LogLine>> {
    const line = this.queue.shift();
    if (line !== undefined) return Promise.resolve({ value: line, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<LogLine>> {
    this.queue.length = 0;
    this.detach(this);
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<LogLine> {
    return this;
  }
}
