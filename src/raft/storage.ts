import type { ConfState, Entry, HardState, Snapshot } from './messages.js';

/**
 * What a node restores from on start.
 *
 * @public
 */
export interface RaftInitialState {
  /** The last persisted hard state ({@link EMPTY_HARD_STATE} for a brand-new node). */
  readonly hardState: HardState;
  /**
   * The membership to start from: that of the latest snapshot, or a later one the driver
   * recorded. Conf changes committed after it are re-emitted as committed entries and re-applied
   * by the application through {@link RaftNode.applyConfChange}.
   */
  readonly confState: ConfState;
}

/**
 * Durable raft state: hard state, log entries and the latest snapshot. The raft core only reads
 * through the first six methods; the driver writes through the rest, following the ordering rules
 * of {@link Ready}.
 *
 * The log held by a storage is the contiguous range `[firstIndex(), lastIndex()]`; everything
 * before `firstIndex()` is covered by `snapshot()`, and `term(firstIndex() - 1)` is still known
 * (it is the snapshot's term). An empty storage has `firstIndex() === 1`, `lastIndex() === 0`.
 *
 * Contracts shared by every implementation (checked by the contract suite in
 * test/raft/storage-contract.ts):
 * - Reading an index below `firstIndex() - 1` (for `term`) or below `firstIndex()` (for `entries`)
 *   throws {@link LogCompactedError}; reading beyond `lastIndex()` throws
 *   {@link LogUnavailableError}.
 * - `append` truncates any existing entries at or after the first appended index, then appends;
 *   entries already compacted are skipped; a gap after `lastIndex()` throws
 *   {@link LogUnavailableError}.
 * - `compact(i)` and `createSnapshot(i)` never discard information that no snapshot covers.
 *
 * @public
 */
export interface RaftStorage {
  /** The persisted hard state and membership. */
  initialState(): RaftInitialState;
  /**
   * Entries in `[lo, hi)`, limited to `maxBytes` in total (but at least one entry when the range
   * is not empty). Throws {@link LogCompactedError} when `lo < firstIndex()` and
   * {@link LogUnavailableError} when `hi > lastIndex() + 1`. The caller may keep the returned
   * array (it goes into messages and Readies as is): return a fresh one, not one the storage
   * changes later.
   */
  entries(lo: number, hi: number, maxBytes?: number): Entry[];
  /**
   * The term of the entry at `index`, for `firstIndex() - 1 <= index <= lastIndex()`. Throws
   * {@link LogCompactedError} below that range and {@link LogUnavailableError} above it.
   */
  term(index: number): number;
  /** The index of the first entry still in the log (the snapshot's index + 1). */
  firstIndex(): number;
  /** The index of the last entry (the snapshot's index when the log is empty). */
  lastIndex(): number;
  /**
   * The latest snapshot. May throw {@link SnapshotUnavailableError} when it is being produced;
   * the leader then retries later.
   */
  snapshot(): Snapshot;

  /** Driver: appends (and possibly overwrites a suffix with) `entries`, which are contiguous. */
  append(entries: readonly Entry[]): void;
  /** Driver: replaces the persisted hard state. */
  setHardState(hardState: HardState): void;
  /**
   * Driver: replaces the whole log with `snapshot` (a follower installing a leader's snapshot).
   * Throws {@link SnapshotOutOfDateError} when it is not newer than the current snapshot.
   */
  applySnapshot(snapshot: Snapshot): void;
  /**
   * Driver: discards entries before `index` (the entry at `index` remains known by its term only).
   * `index` must not exceed the latest snapshot's index, so that a snapshot covers everything
   * discarded; throws {@link LogCompactedError} when `index` is already compacted and
   * {@link LogUnavailableError} when it is beyond the latest snapshot.
   */
  compact(index: number): void;
  /**
   * Driver: records a snapshot of the application state as of `index` (which must be applied, so
   * at most `lastIndex()`), with the membership at that point. Throws
   * {@link SnapshotOutOfDateError} when `index` is not newer than the current snapshot and
   * {@link LogUnavailableError} when it is beyond `lastIndex()`. Does not compact.
   */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot;
}
