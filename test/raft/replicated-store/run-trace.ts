/**
 * The last events of a run (faults, crashes, leader changes, client outcomes), for failure
 * reports, and a digest of all of them: two runs of one seed must end with the same digest.
 */
export class RunTrace {
  private readonly ring: string[] = [];
  private next = 0;
  private hash = 0x811c9dc5;
  private count = 0;

  constructor(private readonly capacity: number) {}

  /** Events recorded so far. */
  get events(): number {
    return this.count;
  }

  /** Records `text` at simulated time `at` (milliseconds). */
  record(at: number, text: string): void {
    const line = `${formatMs(at)} ${text}`;
    for (let i = 0; i < line.length; i++) this.hash = Math.imul(this.hash ^ line.charCodeAt(i), 0x01000193);
    this.count++;
    if (this.ring.length < this.capacity) this.ring.push(line);
    else this.ring[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
  }

  /** The most recent events, oldest first. */
  recent(): string[] {
    if (this.ring.length < this.capacity) return this.ring.slice();
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  /** Digest of every event recorded, as 8 hexadecimal digits. */
  digest(): string {
    return (this.hash >>> 0).toString(16).padStart(8, '0');
  }
}

/** Simulated milliseconds as `12.345s`. */
export function formatMs(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}
