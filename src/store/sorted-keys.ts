/**
 * A set of strings kept in sorted order, for prefix lookups. Stored as a list of sorted blocks of
 * at most `blockSize` keys, so an insert or delete moves at most one block's worth of references
 * (not the whole set) and a prefix lookup costs a binary search plus the keys it returns.
 *
 * Searches compare numbers, not strings: each key carries a sort prefix (see {@link sortPrefix}),
 * kept in arrays beside the keys, and the strings themselves are read only when two prefixes tie.
 * With a million keys, a string is almost always a cache miss, so a search that read one string
 * per step (some 20 steps) cost more than everything else an insert does; the prefix arrays are
 * small and dense, and the top-level one (a number per block) stays in cache.
 *
 * @internal
 */
export class SortedKeys {
  /** Sorted blocks of keys: every key of block `b` sorts before every key of block `b + 1`. */
  private blocks: string[][] = [];
  /** The sort prefix of each key, block by block, beside `blocks`. */
  private prefixes: number[][] = [];
  /** The sort prefix of each block's last key. */
  private lastPrefixes: number[] = [];
  private count = 0;

  constructor(private readonly blockSize = 256) {}

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  /** Adds `key`; returns false when it was already present. */
  add(key: string): boolean {
    const p = sortPrefix(key);
    if (this.blocks.length === 0) {
      this.blocks.push([key]);
      this.prefixes.push([p]);
      this.lastPrefixes.push(p);
      this.count = 1;
      return true;
    }
    const b = this.blockFor(key, p);
    const block = this.blocks[b] as string[];
    const prefixes = this.prefixes[b] as number[];
    const i = lowerBound(block, prefixes, key, p);
    if (block[i] === key) return false;
    block.splice(i, 0, key);
    prefixes.splice(i, 0, p);
    if (i === block.length - 1) this.lastPrefixes[b] = p;
    this.count++;
    if (block.length > this.blockSize) {
      const half = block.length >>> 1;
      this.blocks.splice(b + 1, 0, block.splice(half));
      this.prefixes.splice(b + 1, 0, prefixes.splice(half));
      this.lastPrefixes.splice(b, 0, prefixes[half - 1] as number);
    }
    return true;
  }

  /** Removes `key`; returns false when it was absent. */
  delete(key: string): boolean {
    if (this.blocks.length === 0) return false;
    const p = sortPrefix(key);
    const b = this.blockFor(key, p);
    const block = this.blocks[b] as string[];
    const prefixes = this.prefixes[b] as number[];
    const i = lowerBound(block, prefixes, key, p);
    if (block[i] !== key) return false;
    block.splice(i, 1);
    prefixes.splice(i, 1);
    this.count--;
    if (block.length === 0) {
      this.blocks.splice(b, 1);
      this.prefixes.splice(b, 1);
      this.lastPrefixes.splice(b, 1);
    } else if (i === block.length) {
      this.lastPrefixes[b] = prefixes[i - 1] as number;
    }
    return true;
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    if (this.blocks.length === 0) return false;
    const p = sortPrefix(key);
    const b = this.blockFor(key, p);
    const block = this.blocks[b] as string[];
    return block[lowerBound(block, this.prefixes[b] as number[], key, p)] === key;
  }

  /** The keys that start with `prefix`, in order. */
  *withPrefix(prefix: string): IterableIterator<string> {
    if (this.blocks.length === 0) return;
    const p = sortPrefix(prefix);
    const first = this.blockFor(prefix, p);
    for (let b = first; b < this.blocks.length; b++) {
      const block = this.blocks[b] as string[];
      for (let i = b === first ? lowerBound(block, this.prefixes[b] as number[], prefix, p) : 0; i < block.length; i++) {
        const key = block[i] as string;
        if (!key.startsWith(prefix)) return;
        yield key;
      }
    }
  }

  /** Every key, in order. */
  *[Symbol.iterator](): IterableIterator<string> {
    for (const block of this.blocks) yield* block;
  }

  /** Removes every key. */
  clear(): void {
    this.blocks = [];
    this.prefixes = [];
    this.lastPrefixes = [];
    this.count = 0;
  }

  /** The block `key` belongs in: the first whose last key is >= `key`, else the last block. */
  private blockFor(key: string, p: number): number {
    const last = this.lastPrefixes;
    let lo = 0;
    let hi = last.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const q = last[mid] as number;
      const below = q < p || (q === p && lastKey(this.blocks[mid] as string[]) < key);
      if (below) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function lastKey(block: readonly string[]): string {
  return block[block.length - 1] as string;
}

/** The first index of `block` whose key is >= `key` (`p` being the sort prefix of `key`). */
function lowerBound(block: readonly string[], prefixes: readonly number[], key: string, p: number): number {
  let lo = 0;
  let hi = block.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const q = prefixes[mid] as number;
    if (q < p || (q === p && (block[mid] as string) < key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** UTF-16 code units a sort prefix encodes, 7 bits each: 49 bits, exact in a double. */
const PREFIX_UNITS = 7;

/**
 * A number that orders like `key` does, as far as it can tell: for keys `a < b` (JavaScript's
 * order, by UTF-16 code units), `sortPrefix(a) <= sortPrefix(b)`, so differing prefixes decide a
 * comparison and only equal ones need the strings. It encodes the first seven code units in base
 * 128, padding short keys with zeros; a unit of 127 or more encodes as 127 and ends the encoding
 * (the rest is zeros), which keeps the order for any text and is exact for ASCII, which ids and
 * most names are.
 *
 * @internal
 */
export function sortPrefix(key: string): number {
  let p = 0;
  let i = 0;
  for (; i < PREFIX_UNITS && i < key.length; i++) {
    const unit = key.charCodeAt(i);
    if (unit >= 127) {
      p = p * 128 + 127;
      i++;
      break;
    }
    p = p * 128 + unit;
  }
  for (; i < PREFIX_UNITS; i++) p *= 128;
  return p;
}
