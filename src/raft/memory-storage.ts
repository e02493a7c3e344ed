import { LogCompactedError, LogUnavailableError, SnapshotOutOfDateError } from './errors.js';
import { EMPTY_HARD_STATE, limitSizeInPlace, type ConfState, type Entry, type HardState, type Snapshot } from './messages.js';
import type { RaftInitialState, RaftStorage } from './storage.js';

interface State {
  hardState: HardState;
  snapshot: Snapshot;
  /** `entries[0]` is a dummy standing for the snapshot's index and term. */
  entries: Entry[];
}

const EMPTY_CONF: ConfState = Object.freeze({ voters: Object.freeze([]), learners: Object.freeze([]) });

/**
 * The reference {@link RaftStorage}: everything in memory. It also models durability, for
 * simulations: writes are volatile until {@link MemoryRaftStorage.sync}, and
 * {@link MemoryRaftStorage.crash} drops every write made since the last sync, as a power loss
 * would. Programs that never call `crash` can ignore `sync`.
 *
 * @example
 * ```ts
 * const storage = new MemoryRaftStorage();
 * storage.append(ready.entries);
 * if (ready.hardState) storage.setHardState(ready.hardState);
 * if (ready.mustSync) storage.sync();
 * ```
 * @public
 */
export class MemoryRaftStorage implements RaftStorage {
  private current: State;
  private durable: State;
  /**
   * Position in `current.entries` from which `durable.entries` may differ; `sync` copies only
   * from there (so a sync costs what was appended, not the whole log). -1: copy everything
   * (after a snapshot or compaction moved the offset).
   */
  private dirtyFrom = 0;

  constructor() {
    const snapshot: Snapshot = { metadata: { index: 0, term: 0, confState: EMPTY_CONF }, data: new Uint8Array(0) };
    this.current = { hardState: EMPTY_HARD_STATE, snapshot, entries: [{ term: 0, index: 0, type: 'normal', data: new Uint8Array(0) }] };
    this.durable = copy(this.current);
  }

  /** {@inheritDoc RaftStorage.initialState} */
  initialState(): RaftInitialState {
    return { hardState: this.current.hardState, confState: this.current.snapshot.metadata.confState };
  }

  /** {@inheritDoc RaftStorage.entries} */
  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    const offset = this.offset();
    if (lo <= offset) throw new LogCompactedError(lo);
    if (hi > this.lastIndex() + 1) throw new LogUnavailableError(hi - 1);
    if (lo >= hi) return [];
    return limitSizeInPlace(this.current.entries.slice(lo - offset, hi - offset), maxBytes);
  }

  /** {@inheritDoc RaftStorage.term} */
  term(index: number): number {
    const offset = this.offset();
    if (index < offset) throw new LogCompactedError(index);
    if (index > this.lastIndex()) throw new LogUnavailableError(index);
    return (this.current.entries[index - offset] as Entry).term;
  }

  /** {@inheritDoc RaftStorage.firstIndex} */
  firstIndex(): number {
    return this.offset() + 1;
  }

  /** {@inheritDoc RaftStorage.lastIndex} */
  lastIndex(): number {
    return this.offset() + this.current.entries.length - 1;
  }

  /** {@inheritDoc RaftStorage.snapshot} */
  snapshot(): Snapshot {
    return this.current.snapshot;
  }

  /** {@inheritDoc RaftStorage.append} */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = (entries[entries.length - 1] as Entry).index;
    if (last < first) return;
    // Entries already compacted are skipped.
    const skip = Math.max(0, first - (entries[0] as Entry).index);
    const start = (entries[skip] as Entry).index;
    if (start > this.lastIndex() + 1) throw new LogUnavailableError(start);
    const offset = this.offset();
    // In place: truncate a conflicting suffix, then push (the log is never copied).
    const at = start - offset;
    const log = this.current.entries;
    log.length = at;
    for (let i = skip; i < entries.length; i++) log.push(entries[i] as Entry);
    if (this.dirtyFrom >= 0) this.dirtyFrom = Math.min(this.dirtyFrom, at);
  }

  /** {@inheritDoc RaftStorage.setHardState} */
  setHardState(hardState: HardState): void {
    this.current.hardState = hardState;
  }

  /** {@inheritDoc RaftStorage.applySnapshot} */
  applySnapshot(snapshot: Snapshot): void {
    const { index, term } = snapshot.metadata;
    if (index <= this.current.snapshot.metadata.index) {
      throw new SnapshotOutOfDateError(`snapshot at ${index} is not newer than the stored one at ${this.current.snapshot.metadata.index}`);
    }
    this.current.snapshot = snapshot;
    this.current.entries = [{ term, index, type: 'normal', data: new Uint8Array(0) }];
    this.dirtyFrom = -1;
  }

  /** {@inheritDoc RaftStorage.compact} */
  compact(index: number): void {
    const offset = this.offset();
    if (index <= offset) throw new LogCompactedError(index);
    if (index > this.current.snapshot.metadata.index || index > this.lastIndex()) throw new LogUnavailableError(index);
    const at = this.current.entries[index - offset] as Entry;
    this.current.entries = [{ term: at.term, index, type: 'normal', data: new Uint8Array(0) }, ...this.current.entries.slice(index - offset + 1)];
    this.dirtyFrom = -1;
  }

  /** {@inheritDoc RaftStorage.createSnapshot} */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.current.snapshot.metadata.index) {
      throw new SnapshotOutOfDateError(`snapshot at ${index} is not newer than the stored one at ${this.current.snapshot.metadata.index}`);
    }
    if (index > this.lastIndex()) throw new LogUnavailableError(index);
    const snapshot: Snapshot = {
      metadata: { index, term: this.term(index), confState: { voters: [...confState.voters], learners: [...confState.learners] } },
      data,
    };
    this.current.snapshot = snapshot;
    return snapshot;
  }

  /** Makes every write so far durable: a later {@link MemoryRaftStorage.crash} keeps them. */
  sync(): void {
    const from = this.dirtyFrom;
    if (from < 0 || this.durable.entries[0] !== this.current.entries[0]) {
      this.durable = copy(this.current);
    } else {
      const durable = this.durable.entries;
      const log = this.current.entries;
      durable.length = Math.min(durable.length, from);
      for (let i = durable.length; i < log.length; i++) durable.push(log[i] as Entry);
      this.durable = { hardState: this.current.hardState, snapshot: this.current.snapshot, entries: durable };
    }
    this.dirtyFrom = this.current.entries.length;
  }

  /** Simulates a power loss: every write since the last {@link MemoryRaftStorage.sync} is lost. */
  crash(): void {
    this.current = copy(this.durable);
    this.dirtyFrom = this.current.entries.length;
  }

  private offset(): number {
    return (this.current.entries[0] as Entry).index;
  }
}

function copy(s: State): State {
  return { hardState: s.hardState, snapshot: s.snapshot, entries: s.entries.slice() };
}
