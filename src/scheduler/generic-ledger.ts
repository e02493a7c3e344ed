import type { GenericResource } from '../api/index.js';
import type { GenericClaim } from './task-resources.js';

const NO_CLAIMS: readonly GenericClaim[] = Object.freeze([]);

/**
 * The generic resources of one node (Docker's `--generic-resource`: GPUs, SSDs...) and which are
 * taken. A node advertises a kind either as a count (`{ kind: 'ssd', discreteValue: 4 }`) or as
 * named units (`{ kind: 'gpu', namedValue: 'GPU-0' }`, one entry per unit); both kinds of entry
 * may be mixed and add up.
 *
 * A task asks for a count of a kind (`discreteValue`), served from the node's count first and
 * then from its free named units in name order; or for one named unit by name (`namedValue`).
 *
 * @internal
 */
export class GenericLedger {
  private discreteCap = new Map<string, number>();
  private namedCap = new Map<string, readonly string[]>();
  private namedCapSet = new Set<string>();
  private readonly discreteUsed = new Map<string, number>();
  /** `kind\0value` → how many tasks claim it (1 unless the store says otherwise). */
  private readonly namedUsed = new Map<string, number>();

  /** Replaces the capacity (a node update); what is taken stays taken. */
  setCapacity(resources: readonly GenericResource[] | undefined): void {
    const discrete = new Map<string, number>();
    const named = new Map<string, string[]>();
    const set = new Set<string>();
    for (const r of resources ?? []) {
      if ('discreteValue' in r) discrete.set(r.kind, (discrete.get(r.kind) ?? 0) + r.discreteValue);
      else if (!set.has(key(r.kind, r.namedValue))) {
        set.add(key(r.kind, r.namedValue));
        let list = named.get(r.kind);
        if (list === undefined) named.set(r.kind, (list = []));
        list.push(r.namedValue);
      }
    }
    for (const list of named.values()) list.sort();
    this.discreteCap = discrete;
    this.namedCap = named;
    this.namedCapSet = set;
  }

  /** True when the node advertises no generic resources and none are taken. */
  get empty(): boolean {
    return this.discreteCap.size === 0 && this.namedCap.size === 0 && this.discreteUsed.size === 0 && this.namedUsed.size === 0;
  }

  /** Free units of `kind`: the free count plus the free named units. */
  available(kind: string): number {
    let free = (this.discreteCap.get(kind) ?? 0) - (this.discreteUsed.get(kind) ?? 0);
    for (const name of this.namedCap.get(kind) ?? []) if (!this.namedUsed.has(key(kind, name))) free++;
    return free;
  }

  /** Whether a named unit exists on the node and is free. */
  isNamedFree(kind: string, name: string): boolean {
    return this.namedCapSet.has(key(kind, name)) && !this.namedUsed.has(key(kind, name));
  }

  /** Whether every request fits at once. */
  fits(requests: readonly GenericResource[]): boolean {
    if (requests.length === 0) return true;
    const counts = new Map<string, number>();
    const names = new Set<string>();
    for (const r of requests) {
      if ('discreteValue' in r) {
        if (r.discreteValue > 0) counts.set(r.kind, (counts.get(r.kind) ?? 0) + r.discreteValue);
      } else {
        const k = key(r.kind, r.namedValue);
        if (names.has(k) || !this.isNamedFree(r.kind, r.namedValue)) return false;
        names.add(k);
      }
    }
    for (const [kind, n] of counts) {
      let free = this.available(kind);
      // Named units asked for by name are not available to counts of the same kind.
      for (const k of names) if (k.startsWith(kind + '\u0000')) free--;
      if (free < n) return false;
    }
    return true;
  }

  /**
   * Picks the units that serve `requests` (which must fit), deterministically: named requests
   * first, then counts from the node's count and then from its free named units in name order.
   * Does not take them: pass the result to {@link GenericLedger.take}.
   */
  choose(requests: readonly GenericResource[]): readonly GenericClaim[] {
    if (requests.length === 0) return NO_CLAIMS;
    const claims: GenericClaim[] = [];
    const chosen = new Set<string>();
    const counts = new Map<string, number>();
    for (const r of requests) {
      if ('namedValue' in r) {
        claims.push({ kind: r.kind, value: r.namedValue });
        chosen.add(key(r.kind, r.namedValue));
      } else if (r.discreteValue > 0) counts.set(r.kind, (counts.get(r.kind) ?? 0) + r.discreteValue);
    }
    for (const [kind, n] of counts) {
      let need = n;
      const discreteFree = Math.max(0, (this.discreteCap.get(kind) ?? 0) - (this.discreteUsed.get(kind) ?? 0));
      const fromCount = Math.min(need, discreteFree);
      if (fromCount > 0) {
        claims.push({ kind, value: fromCount });
        need -= fromCount;
      }
      for (const name of this.namedCap.get(kind) ?? []) {
        if (need === 0) break;
        const k = key(kind, name);
        if (this.namedUsed.has(k) || chosen.has(k)) continue;
        claims.push({ kind, value: name });
        chosen.add(k);
        need--;
      }
      // A request that does not fit is served as far as it goes (callers check `fits` first).
      if (need > 0) claims.push({ kind, value: need });
    }
    return claims;
  }

  /** Marks `claims` as taken. */
  take(claims: readonly GenericClaim[]): void {
    for (const c of claims) {
      if (typeof c.value === 'number') this.discreteUsed.set(c.kind, (this.discreteUsed.get(c.kind) ?? 0) + c.value);
      else {
        const k = key(c.kind, c.value);
        this.namedUsed.set(k, (this.namedUsed.get(k) ?? 0) + 1);
      }
    }
  }

  /** Gives back what {@link GenericLedger.take} took. */
  release(claims: readonly GenericClaim[]): void {
    for (const c of claims) {
      if (typeof c.value === 'number') {
        const left = (this.discreteUsed.get(c.kind) ?? 0) - c.value;
        if (left > 0) this.discreteUsed.set(c.kind, left);
        else this.discreteUsed.delete(c.kind);
      } else {
        const k = key(c.kind, c.value);
        const left = (this.namedUsed.get(k) ?? 0) - 1;
        if (left > 0) this.namedUsed.set(k, left);
        else this.namedUsed.delete(k);
      }
    }
  }
}

function key(kind: string, name: string): string {
  return kind + '\u0000' + name;
}
