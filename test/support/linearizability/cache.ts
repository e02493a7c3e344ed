/**
 * The memo of configurations the search has fully explored without success (Lowe's improvement to
 * Wing & Gong), extended with subsumption for operations of unknown outcome.
 *
 * A configuration is (the `ok` operations linearized, the `info` operations linearized, the model
 * state). If a configuration failed, every configuration with the same `ok` set and state whose
 * `info` set is a superset fails too: it has strictly fewer choices left, since an `info`
 * operation never has to be placed. So entries are grouped by (`ok` set, state) and each group
 * keeps an antichain of failed `info` sets; a lookup prunes when any stored set is a subset.
 * Without `info` operations this is exactly the classic (linearized set, state) cache.
 */
export class FailureCache<State> {
  private readonly groups = new Map<string, { info: Uint32Array; state: State }[]>();
  private count = 0;

  /**
   * @param maxEntries - past this many entries new failures are not remembered (the search stays
   *   correct, it just prunes less).
   * @param equal - state equality when the state hash in keys is not exact; omit when it is.
   */
  constructor(
    private readonly maxEntries: number,
    private readonly equal?: (a: State, b: State) => boolean,
  ) {}

  /** Entries held. */
  get size(): number {
    return this.count;
  }

  /** True when a failed configuration in group `key` subsumes (`info`, `state`). */
  subsumes(key: string, info: Uint32Array, state: State): boolean {
    const group = this.groups.get(key);
    if (group === undefined) return false;
    for (const e of group) {
      if (isSubset(e.info, info) && (this.equal === undefined || this.equal(e.state, state))) return true;
    }
    return false;
  }

  /** Remembers that (`key`, `info`, `state`) failed; `info` is copied. */
  add(key: string, info: Uint32Array, state: State): void {
    let group = this.groups.get(key);
    if (group === undefined) {
      if (this.count >= this.maxEntries) return;
      this.groups.set(key, (group = []));
    } else if (info.length > 0) {
      // Keep an antichain: a new failure makes the stored supersets of it redundant.
      const before = group.length;
      const kept = group.filter((e) => !(isSubset(info, e.info) && (this.equal === undefined || this.equal(e.state, state))));
      if (kept.length !== before) {
        this.count -= before - kept.length;
        group.length = 0;
        group.push(...kept);
      }
    }
    if (this.count >= this.maxEntries) return;
    group.push({ info: info.slice(), state });
    this.count++;
  }
}

function isSubset(a: Uint32Array, b: Uint32Array): boolean {
  for (let k = 0; k < a.length; k++) {
    if (((a[k] as number) & ~(b[k] as number)) !== 0) return false;
  }
  return true;
}

/** An exact string key for a bitset: two UTF-16 code units per 32-bit word. */
export function bitsKey(words: Uint32Array): string {
  let s = '';
  for (let k = 0; k < words.length; k++) {
    const w = words[k] as number;
    s += String.fromCharCode(w & 0xffff, w >>> 16);
  }
  return s;
}

/** Sets bit `i`. */
export function setBit(words: Uint32Array, i: number): void {
  words[i >>> 5] = ((words[i >>> 5] as number) | (1 << (i & 31))) >>> 0;
}

/** Clears bit `i`. */
export function clearBit(words: Uint32Array, i: number): void {
  words[i >>> 5] = ((words[i >>> 5] as number) & ~(1 << (i & 31))) >>> 0;
}
