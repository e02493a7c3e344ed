/**
 * A set of strings kept in sorted order, for prefix lookups. Stored as a list of sorted blocks of
 * at most `blockSize` keys, so an insert or delete moves at most one block's worth of references
 * (not the whole set) and a prefix lookup costs a binary search plus the keys it returns.
 *
 * @internal
 */
export class SortedKeys {
  private blocks: string[][] = [];
  private count = 0;

  constructor(private readonly blockSize = 512) {}

  /** Number of keys. */
  get size(): number {
    return this.count;
  }

  /** Adds `key`; returns false when it was already present. */
  add(key: string): boolean {
    if (this.blocks.length === 0) {
      this.blocks.push([key]);
      this.count = 1;
      return true;
    }
    const b = this.blockFor(key);
    const block = this.blocks[b] as string[];
    const i = lowerBound(block, key);
    if (block[i] === key) return false;
    block.splice(i, 0, key);
    this.count++;
    if (block.length > this.blockSize) {
      const half = block.length >>> 1;
      this.blocks.splice(b + 1, 0, block.splice(half));
    }
    return true;
  }

  /** Removes `key`; returns false when it was absent. */
  delete(key: string): boolean {
    if (this.blocks.length === 0) return false;
    const b = this.blockFor(key);
    const block = this.blocks[b] as string[];
    const i = lowerBound(block, key);
    if (block[i] !== key) return false;
    block.splice(i, 1);
    this.count--;
    if (block.length === 0) this.blocks.splice(b, 1);
    return true;
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    if (this.blocks.length === 0) return false;
    const block = this.blocks[this.blockFor(key)] as string[];
    return block[lowerBound(block, key)] === key;
  }

  /** The keys that start with `prefix`, in order. */
  *withPrefix(prefix: string): IterableIterator<string> {
    if (this.blocks.length === 0) return;
    const first = this.blockFor(prefix);
    for (let b = first; b < this.blocks.length; b++) {
      const block = this.blocks[b] as string[];
      for (let i = b === first ? lowerBound(block, prefix) : 0; i < block.length; i++) {
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
    this.count = 0;
  }

  /** The block `key` belongs in: the first whose last key is >= `key`, else the last block. */
  private blockFor(key: string): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = this.blocks[mid] as string[];
      if ((block[block.length - 1] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function lowerBound(block: readonly string[], key: string): number {
  let lo = 0;
  let hi = block.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((block[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
