import type { SkippedSnapshot, TornTail, WriteAheadLogStats } from './wal/index.js';

/**
 * Options of {@link FileRaftStorage.open}.
 *
 * @public
 */
export interface FileRaftStorageOptions {
  /** Write-ahead log segment size (default 64 MiB). */
  readonly segmentBytes?: number;
  /** Largest entry payload accepted (default 16 MiB). */
  readonly maxRecordBytes?: number;
  /** Largest amount of data appended between two syncs (default 64 MiB). */
  readonly maxBufferedBytes?: number;
  /** Snapshots kept besides the newest, as fallbacks (default 1). */
  readonly keepOlderSnapshots?: number;
}

/**
 * What {@link FileRaftStorage.open} found and repaired.
 *
 * @public
 */
export interface FileRaftStorageRecovery {
  /** What was cut off the end of the log (a write torn by a crash), or `null`. */
  readonly tornTail: TornTail | null;
  /** Newer snapshot files that were corrupt and passed over. */
  readonly skippedSnapshots: readonly SkippedSnapshot[];
  /** Index of the snapshot recovered from (0: none). */
  readonly snapshotIndex: number;
  /** Entries recovered after the snapshot. */
  readonly entries: number;
  /** Logged entries dropped because they belong to a log the snapshot replaced. */
  readonly staleEntries: number;
  /** Where the hard state came from: the log, the snapshot file, or nowhere (a new node). */
  readonly hardStateSource: 'log' | 'snapshot' | 'none';
}

/**
 * Counters of a {@link FileRaftStorage} since it was opened: the write-ahead log's, plus
 * snapshot files written and log segments released.
 *
 * @public
 */
export interface FileRaftStorageStats extends WriteAheadLogStats {
  /** Snapshot files written (each costs a file and a directory fsync, not counted in `fsyncs`). */
  readonly snapshotsSaved: number;
  /** Log segments deleted by compaction. */
  readonly segmentsReleased: number;
}
