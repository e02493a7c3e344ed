import { LogCompactedError, LogUnavailableError } from './errors.js';
import { limitSizeInPlace, type Entry, type Snapshot } from './messages.js';
import type { RaftStorage } from './storage.js';
import { Unstable } from './unstable.js';

/**
 * The core's view of the log: the persisted part (read through {@link RaftStorage}) followed by
 * the unstable part not yet persisted, plus the commit and applied indexes.
 *
 * @internal
 */
export class RaftLog {
  readonly storage: RaftStorage;
  readonly unstable: Unstable;
  committed: number;
  applied: number;
  private readonly maxCommittedSize: number | undefined;

  constructor(storage: RaftStorage, maxCommittedSize: number | undefined) {
    this.storage = storage;
    this.maxCommittedSize = maxCommittedSize;
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new Unstable(last + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): number {
    return this.term(this.lastIndex());
  }

  /**
   * The term of the entry at `index`. Throws {@link LogCompactedError} below `firstIndex() - 1`
   * and {@link LogUnavailableError} beyond `lastIndex()`.
   */
  term(index: number): number {
    const t = this.termIfKnown(index);
    if (t !== undefined) return t;
    if (index < this.firstIndex() - 1) throw new LogCompactedError(index);
    throw new LogUnavailableError(index);
  }

  /**
   * The term of the entry at `index`, or `undefined` when it is compacted or beyond the last
   * index. Never throws for those: the hot paths (matching a follower's log, committing) ask
   * about indexes out of range routinely, and building an error there costs more than the rest.
   */
  termIfKnown(index: number): number | undefined {
    const u = this.unstable;
    if (u.entries.length > 0 && index >= u.offset) {
      const e = u.entries[index - u.offset];
      return e === undefined ? undefined : e.term;
    }
    // A pending snapshot replaced the whole log: only its own index has a known term.
    const snap = u.snapshot;
    if (snap !== undefined) return index === snap.metadata.index ? snap.metadata.term : undefined;
    const storage = this.storage;
    if (index < storage.firstIndex() - 1 || index > storage.lastIndex()) return undefined;
    return storage.term(index);
  }

  /** The term at `index`, or 0 when it is compacted or unavailable. */
  termOrZero(index: number): number {
    return this.termIfKnown(index) ?? 0;
  }

  matchTerm(index: number, term: number): boolean {
    return this.termIfKnown(index) === term;
  }

  /** True when a log ending at (`lastIndex`, `lastTerm`) is at least as up to date as this one. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Appends leader-created entries; returns the new last index. */
  append(entries: readonly Entry[]): number {
    if (entries.length === 0) return this.lastIndex();
    const after = (entries[0] as Entry).index - 1;
    if (after < this.committed) throw new Error(`raft: appending after ${after} would overwrite committed ${this.committed}`);
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /** Appends one leader-created entry right after the last index. */
  appendNext(entry: Entry): void {
    if (entry.index !== this.lastIndex() + 1) throw new Error(`raft: entry ${entry.index} does not follow the last index ${this.lastIndex()}`);
    this.unstable.push(entry);
  }

  /**
   * A follower's append: if the entry at `index` has `logTerm`, appends `entries` (dropping any
   * conflicting suffix), moves the commit index and returns the last new index; otherwise
   * returns `undefined`.
   */
  maybeAppend(index: number, logTerm: number, committed: number, entries: readonly Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      if (conflict <= this.committed) throw new Error(`raft: entry ${conflict} conflicts with committed entry (committed ${this.committed})`);
      this.append(entries.slice(conflict - index - 1));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  /** The index of the first entry of `entries` that is new or conflicts, or 0 if none. */
  private findConflict(entries: readonly Entry[]): number {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as Entry;
      if (this.termIfKnown(e.index) !== e.term) return e.index;
    }
    return 0;
  }

  /**
   * Fast backtracking: the largest index `<= index` whose term is `<= term`, with that term
   * (term 0 when the search ran into the compacted part).
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    for (let i = index; ; i--) {
      const t = this.termIfKnown(i);
      if (t === undefined) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
    }
  }

  commitTo(index: number): void {
    if (index > this.committed) {
      if (index > this.lastIndex()) throw new Error(`raft: commit ${index} is beyond the last index ${this.lastIndex()}`);
      this.committed = index;
    }
  }

  appliedTo(index: number): void {
    if (index === 0) return;
    if (index > this.committed || index < this.applied) throw new Error(`raft: applied ${index} out of range [${this.applied}, ${this.committed}]`);
    this.applied = index;
  }

  /**
   * Entries in `[lo, hi)` limited to `maxBytes`. Throws {@link LogCompactedError} when `lo` is
   * compacted.
   */
  slice(lo: number, hi: number, maxBytes?: number): Entry[] {
    if (lo < this.firstIndex()) throw new LogCompactedError(lo);
    if (hi > this.lastIndex() + 1) throw new LogUnavailableError(hi - 1);
    if (lo >= hi) return [];
    const uOffset = this.unstable.offset;
    if (lo >= uOffset) return limitSizeInPlace(this.unstable.slice(lo, hi), maxBytes);
    const out = this.storage.entries(lo, Math.min(hi, uOffset), maxBytes);
    // The storage stopped early because of the size limit: do not add unstable entries.
    if (hi <= uOffset || out.length < uOffset - lo) return out;
    // concat, not push: a storage may hand out an array it keeps.
    return limitSizeInPlace(out.concat(this.unstable.slice(uOffset, hi)), maxBytes);
  }

  /** Entries from `lo` to the end, limited to `maxBytes`. */
  entriesFrom(lo: number, maxBytes?: number): Entry[] {
    return this.slice(lo, this.lastIndex() + 1, maxBytes);
  }

  /** Committed entries not yet handed to the application. */
  nextCommittedEntries(): Entry[] {
    if (this.unstable.snapshot !== undefined) return [];
    const lo = Math.max(this.applied + 1, this.firstIndex());
    if (this.committed + 1 <= lo) return [];
    return this.slice(lo, this.committed + 1, this.maxCommittedSize);
  }

  hasNextCommittedEntries(): boolean {
    if (this.unstable.snapshot !== undefined) return false;
    return this.committed + 1 > Math.max(this.applied + 1, this.firstIndex());
  }

  /** The latest snapshot: a pending one, or the storage's. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** Replaces the log with a snapshot (a follower installing the leader's snapshot). */
  restore(snapshot: Snapshot): void {
    this.committed = snapshot.metadata.index;
    this.unstable.restore(snapshot);
  }
}
