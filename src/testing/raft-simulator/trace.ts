/**
 * A rolling 64-bit digest (two FNV-1a lanes) of everything a simulation did, and a bounded ring
 * of the most recent events, for failure reports. The digest of a run depends only on its seed,
 * so two runs of one seed must produce the same digest.
 *
 * @public
 */
export class EventTrace {
  private h1 = 0x811c9dc5;
  private h2 = 0x01000193;
  private count = 0;
  private readonly ring: string[] = [];
  private next = 0;
  private readonly capacity: number;

  /** @param capacity - how many recent events {@link EventTrace.recent} keeps (default 60). */
  constructor(capacity = 60) {
    this.capacity = Math.max(1, Math.floor(capacity));
  }

  /** Events recorded so far. */
  get events(): number {
    return this.count;
  }

  /** Records an event described by `text` at simulated time `at` (milliseconds). */
  record(at: number, text: string): void {
    this.mixNumber(at);
    this.mixString(text);
    this.count++;
    const line = `${formatTime(at)} ${text}`;
    if (this.ring.length < this.capacity) this.ring.push(line);
    else this.ring[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
  }

  /**
   * Mixes numbers into the digest without keeping a line for them: the cheap path for high-volume
   * events (message deliveries).
   */
  mix(a: number, b: number, c: number, d: number): void {
    this.mixNumber(a);
    this.mixNumber(b);
    this.mixNumber(c);
    this.mixNumber(d);
    this.count++;
  }

  /** The most recent events, oldest first. */
  recent(): string[] {
    if (this.ring.length < this.capacity) return this.ring.slice();
    return [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }

  /** The digest so far, as 16 hexadecimal digits. */
  digest(): string {
    return (this.h1 >>> 0).toString(16).padStart(8, '0') + (this.h2 >>> 0).toString(16).padStart(8, '0');
  }

  private mixNumber(n: number): void {
    // Times carry microsecond fractions: keep them exactly by scaling, then fold to 32 bits.
    const v = Math.round(n * 1000);
    const lo = v % 0x100000000 | 0;
    const hi = Math.floor(v / 0x100000000) | 0;
    this.mixWord(lo);
    this.mixWord(hi);
  }

  private mixString(s: string): void {
    for (let i = 0; i < s.length; i++) this.mixWord(s.charCodeAt(i));
    this.mixWord(s.length);
  }

  private mixWord(w: number): void {
    this.h1 = Math.imul(this.h1 ^ w, 0x01000193);
    this.h2 = Math.imul(this.h2 ^ (w + 0x9e3779b9), 0x5bd1e995);
    this.h2 ^= this.h2 >>> 15;
  }
}

/** Formats simulated milliseconds as `12.345s`. @internal */
export function formatTime(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

/**
 * A 32-bit FNV-1a hash of `s`, folded with `seed`: the building block of the state machine's
 * rolling hash.
 *
 * @internal
 */
export function hashString(seed: number, s: string): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 13;
  h = Math.imul(h, 0x5bd1e995);
  return (h ^ (h >>> 15)) >>> 0;
}
