import { LogCompactedError, LogUnavailableError, SnapshotOutOfDateError } from './errors.js';
import { EMPTY_HARD_STATE, limitSize, type ConfState, type Entry, type HardState, type Snapshot } from './messages.js';
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
    return limitSize(this.current.entries.slice(lo - offset, hi - offset), maxBytes);
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
    const fresh = (entries[0] as Entry).index < first ? entries.slice(first - (entries[0] as Entry).index) : entries.slice();
    const start = (fresh[0] as Entry).index;
    if (start > this.lastIndex() + 1) throw new LogUnavailableError(start);
    const offset = this.offset();
    this.current.entries = this.current.entries.slice(0, start - offset).concat(fresh);
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
  }

  /** {@inheritDoc RaftStorage.compact} */
  compact(index: number): void {
    const offset = this.offset();
    if (index <= offset) throw new LogCompactedError(index);
    if (index > this.current.snapshot.metadata.index || index > this.lastIndex()) throw new LogUnavailableError(index);
    const at = this.current.entries[index - offset] as Entry;
    this.current.entries = [{ term: at.term, index, type: 'normal', data: new Uint8Array(0) }, ...this.current.entries.slice(index - offset + 1)];
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
    this.durable = copy(this.current);
  }

  /** Simulates a power loss: every write since the last {@link MemoryRaftStorage.sync} is lost. */
  crash(): void {
    this.current = copy(this.durable);
  }

  private offset(): number {
    return (this.current.entries[0] as Entry).index;
  }
}

function copy(s: State): State {
  return { hardState: s.hardState, snapshot: s.snapshot, entries: s.entries.slice() };
}
