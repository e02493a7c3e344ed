/**
 * A bounded window of append messages sent to one follower and not yet acknowledged, identified
 * by the last index each carried. When it is full the leader stops sending to that follower
 * until acknowledgements free slots, which bounds memory and network use per follower.
 *
 * @internal
 */
export class Inflights {
  private readonly capacity: number;
  private buffer: number[] = [];
  private start = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`inflights capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Records a message whose last entry is `index`; indexes must increase. */
  add(index: number): void {
    if (this.full()) throw new Error('raft: inflights window is full');
    this.buffer.push(index);
  }

  /** Frees every message whose last index is `<= index`. */
  freeLE(index: number): void {
    let i = this.start;
    while (i < this.buffer.length && (this.buffer[i] as number) <= index) i++;
    this.start = i;
    if (this.start > this.capacity) {
      this.buffer = this.buffer.slice(this.start);
      this.start = 0;
    }
  }

  /** Frees the oldest message (used when a heartbeat shows the follower is alive but acks were lost). */
  freeFirstOne(): void {
    if (this.count() > 0) this.start++;
  }

  /** True when no more messages may be sent. */
  full(): boolean {
    return this.count() >= this.capacity;
  }

  /** The number of messages in flight. */
  count(): number {
    return this.buffer.length - this.start;
  }

  /** Forgets everything in flight. */
  reset(): void {
    this.buffer = [];
    this.start = 0;
  }
}
