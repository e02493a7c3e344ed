/**
 * A seed: a 32-bit-safe integer, a bigint, or any string.
 *
 * @public
 */
export type Seed = number | bigint | string;

/**
 * A seeded pseudo-random generator (xoshiro128**, seeded through splitmix32). The same seed gives
 * the same sequence on every machine and every Node version. Not for cryptography.
 *
 * @example
 * ```ts
 * const r = Random.fromSeed(42);
 * r.int(6);          // 0..5
 * r.id();            // 'k3x…' (25 base-36 characters)
 * const net = r.fork('network'); // an independent stream
 * ```
 * @public
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** The normalised seed this stream was created from; forks derive from it. */
  readonly seed: string;

  private constructor(seed: string) {
    this.seed = seed;
    let h = hashString(seed);
    const next = (): number => {
      h = (h + 0x9e3779b9) | 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Creates a generator from a seed. */
  static fromSeed(seed: Seed): Random {
    return new Random(typeof seed === 'string' ? `s:${seed}` : `n:${seed.toString()}`);
  }

  /** Creates a generator seeded from the operating system's entropy; its `seed` can replay it. */
  static fromEntropy(): Random {
    const words = new Uint32Array(2);
    globalThis.crypto.getRandomValues(words);
    return Random.fromSeed((BigInt(words[0] as number) << 32n) | BigInt(words[1] as number));
  }

  /**
   * An independent generator for `label`, derived from this generator's seed (not from its
   * current position), so adding draws to one stream never shifts another. Forking the same label
   * twice gives the same stream.
   */
  fork(label: string): Random {
    return new Random(`${this.seed}/${label}`);
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniformly distributed integer in [0, n); `n` must be a positive safe integer. */
  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`Random.int: n must be a positive safe integer, got ${n}`);
    if (n <= 0x100000000) {
      // Rejection sampling removes modulo bias.
      const limit = 0x100000000 - (0x100000000 % n);
      for (;;) {
        const x = this.nextUint32();
        if (x < limit) return x % n;
      }
    }
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max], both inclusive. */
  intBetween(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return p > 0 && (p >= 1 || this.next() < p);
  }

  /** An exponentially distributed value with the given mean (mean 0 gives 0). */
  exponential(mean: number): number {
    if (mean <= 0) return 0;
    return -Math.log(1 - this.next()) * mean;
  }

  /** A uniformly chosen element; throws on an empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Random.pick: empty array');
    return items[this.int(items.length)] as T;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }

  /**
   * A Docker-style object id: 25 lowercase base-36 characters holding 128 random bits, zero-padded
   * as Docker pads them.
   */
  id(): string {
    const v =
      (BigInt(this.nextUint32()) << 96n) |
      (BigInt(this.nextUint32()) << 64n) |
      (BigInt(this.nextUint32()) << 32n) |
      BigInt(this.nextUint32());
    return v.toString(36).padStart(25, '0');
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      let w = this.nextUint32();
      for (let k = 0; k < 4 && i + k < n; k++) {
        out[i + k] = w & 0xff;
        w >>>= 8;
      }
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** FNV-1a over UTF-16 code units, then a murmur finaliser. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
