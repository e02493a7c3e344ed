import type { Entry, Snapshot } from './messages.js';

/**
 * Entries and a snapshot the core has accepted but the driver has not persisted yet. Entries
 * are contiguous from `offset`; an incoming snapshot replaces them all.
 *
 * @internal
 */
export class Unstable {
  snapshot: Snapshot | undefined = undefined;
  entries: Entry[] = [];
  /** The index of `entries[0]` (or where it would be). */
  offset: number;

  constructor(offset: number) {
    this.offset = offset;
  }

  /** The index of the first entry, known only when a snapshot is pending. */
  maybeFirstIndex(): number | undefined {
    return this.snapshot === undefined ? undefined : this.snapshot.metadata.index + 1;
  }

  /** The last index held here, if any. */
  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.metadata.index;
  }

  /** The term of `index` if it is held here. */
  maybeTerm(index: number): number | undefined {
    if (index < this.offset) {
      if (this.snapshot !== undefined && this.snapshot.metadata.index === index) return this.snapshot.metadata.term;
      return undefined;
    }
    const last = this.maybeLastIndex();
    if (last === undefined || index > last) return undefined;
    return (this.entries[index - this.offset] as Entry).term;
  }

  /** The driver persisted entries up to `index` (with `term`): drop them from here. */
  stableTo(index: number, term: number): void {
    const t = this.maybeTerm(index);
    if (t === undefined || index < this.offset) return;
    // Only if the entry was not overwritten since the Ready that carried it.
    if (t === term) {
      this.entries = this.entries.slice(index + 1 - this.offset);
      this.offset = index + 1;
    }
  }

  /** The driver persisted the snapshot at `index`. */
  stableSnapTo(index: number): void {
    if (this.snapshot !== undefined && this.snapshot.metadata.index === index) this.snapshot = undefined;
  }

  /** Replaces everything with a snapshot. */
  restore(snapshot: Snapshot): void {
    this.offset = snapshot.metadata.index + 1;
    this.entries = [];
    this.snapshot = snapshot;
  }

  /** Appends one entry right after the last one (a leader's proposal): no array, no copy. */
  push(entry: Entry): void {
    // Empty (everything persisted): the entry starts the buffer, wherever the last one ended.
    if (this.entries.length === 0 && this.snapshot === undefined) this.offset = entry.index;
    this.entries.push(entry);
  }

  /** Appends `entries`, truncating whatever they overwrite. */
  truncateAndAppend(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const after = (entries[0] as Entry).index;
    if (after === this.offset + this.entries.length) {
      // The common case (a leader's proposals, a follower's appends): grow in place, no copy.
      const tail = this.entries;
      for (let i = 0; i < entries.length; i++) tail.push(entries[i] as Entry);
    } else if (after <= this.offset) {
      // Replace everything unstable; the driver's append overwrites the storage suffix too.
      this.offset = after;
      this.entries = entries.slice();
    } else {
      const tail = this.entries;
      tail.length = after - this.offset;
      for (let i = 0; i < entries.length; i++) tail.push(entries[i] as Entry);
    }
  }

  /** Entries in `[lo, hi)`, which must lie within this buffer. */
  slice(lo: number, hi: number): Entry[] {
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
