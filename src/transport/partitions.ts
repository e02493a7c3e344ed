import { ValidationError } from '../errors/index.js';

/**
 * One address or several: a side of a partition.
 *
 * @public
 */
export type AddressGroup = string | readonly string[];

/**
 * Normalises the two sides of a partition to arrays, refusing an address on both sides.
 *
 * @internal
 */
export function sides(a: AddressGroup, b: AddressGroup): [readonly string[], readonly string[]] {
  const ga = typeof a === 'string' ? [a] : a;
  const gb = typeof b === 'string' ? [b] : b;
  const both = ga.filter((x) => gb.includes(x));
  if (both.length > 0) {
    const names = both.map((x) => JSON.stringify(x)).join(', ');
    throw new ValidationError([{ path: 'groups', message: `an address cannot be on both sides of a partition: ${names}` }]);
  }
  return [ga, gb];
}

/**
 * Which directed links are cut: explicit cuts (from partitions) plus isolated addresses, which
 * are cut from every other address, including ones that have no endpoint yet. Loopback (an
 * address sending to itself) is never cut.
 *
 * @internal
 */
export class PartitionTable {
  /** from → the destinations it cannot reach. */
  private readonly cuts = new Map<string, Set<string>>();
  private readonly isolated = new Set<string>();

  /** Cuts the directed link from → to. */
  cut(from: string, to: string): void {
    if (from === to) return;
    let tos = this.cuts.get(from);
    if (tos === undefined) {
      tos = new Set();
      this.cuts.set(from, tos);
    }
    tos.add(to);
  }

  /** Cuts `address` from every other address, both ways. */
  isolate(address: string): void {
    this.isolated.add(address);
  }

  /** True when messages from → to are currently lost. */
  isCut(from: string, to: string): boolean {
    if (from === to) return false;
    return this.isolated.has(from) || this.isolated.has(to) || this.cuts.get(from)?.has(to) === true;
  }

  /** Removes every cut and isolation, or only those involving `address`. */
  heal(address?: string): void {
    if (address === undefined) {
      this.cuts.clear();
      this.isolated.clear();
      return;
    }
    this.isolated.delete(address);
    this.cuts.delete(address);
    for (const [from, tos] of this.cuts) {
      tos.delete(address);
      if (tos.size === 0) this.cuts.delete(from);
    }
  }

  /** True when nothing is cut. */
  get isEmpty(): boolean {
    return this.cuts.size === 0 && this.isolated.size === 0;
  }
}
