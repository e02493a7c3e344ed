import { ClosedError, InvalidStateError, ValidationError } from '../errors/index.js';
import { LogCompactedError, LogUnavailableError, SnapshotOutOfDateError } from './errors.js';
import { encodeAnchor, encodeEntry, encodeHardState, encodeSnapshotFile, decodeSnapshotFile, RECORD_ANCHOR, RECORD_ENTRY, RECORD_HARD_STATE } from './file-storage-codec.js';
import { replayLog } from './file-storage-replay.js';
import { EMPTY_HARD_STATE, hardStateEquals, isEmptyHardState, limitSizeInPlace, type ConfState, type Entry, type HardState, type Snapshot } from './messages.js';
import type { FileRaftStorageOptions, FileRaftStorageRecovery, FileRaftStorageStats } from './file-storage-types.js';
import type { RaftInitialState, RaftStorage } from './storage.js';
import { joinPath, SnapshotStore, WriteAheadLog, type FileSystem, type WalRecord } from './wal/index.js';

export type { FileRaftStorageOptions, FileRaftStorageRecovery, FileRaftStorageStats } from './file-storage-types.js';

type Op =
  | { readonly kind: 'records'; readonly records: WalRecord[] }
  | { readonly kind: 'truncate'; readonly after: number }
  | { readonly kind: 'reset'; readonly next: number }
  | { readonly kind: 'save'; readonly index: number; readonly payload: Uint8Array };

interface Anchor {
  readonly index: number;
  readonly pos: number;
}

const EMPTY_CONF: ConfState = Object.freeze({ voters: Object.freeze([]), learners: Object.freeze([]) });
const EMPTY_SNAPSHOT: Snapshot = Object.freeze({ metadata: Object.freeze({ index: 0, term: 0, confState: EMPTY_CONF }), data: new Uint8Array(0) });
const MiB = 1024 * 1024;
const ENTRY_HEADER_BYTES = 17;

/**
 * A durable {@link RaftStorage}: a {@link WriteAheadLog} of entry and hard-state records plus a
 * {@link SnapshotStore}, in `<dir>/wal` and `<dir>/snap`, with the log after the snapshot cached
 * in memory (like etcd's MemoryStorage in front of its WAL) so that reads are synchronous.
 *
 * Writes (`append`, `setHardState`, `applySnapshot`, `createSnapshot`, `compact`) update the
 * cache at once and are buffered; nothing is durable until {@link FileRaftStorage.sync}, which
 * writes every buffered record and fsyncs once (group commit). **The driver must
 * `await storage.sync()` whenever `ready.mustSync` (or `ready.snapshot`) is set, before sending
 * the Ready's messages.** A commit-index-only hard-state change is buffered like the rest and
 * becomes durable with the next sync; losing it in a crash is harmless.
 *
 * Snapshot files are written by `sync` too, before any log record buffered after them: a leader's
 * snapshot (`applySnapshot`) is durable before the log reset that discards the entries it
 * replaces, and log segments are released (`compact`) only below the oldest snapshot kept.
 *
 * Recovery ({@link FileRaftStorage.open}) loads the newest valid snapshot and replays the log
 * after it; see {@link FileRaftStorageRecovery}. A torn tail is cut off; other damage throws
 * {@link CorruptionError}.
 *
 * @example
 * ```ts
 * const storage = await FileRaftStorage.open(new NodeFileSystem(), '/var/lib/flotilla/raft');
 * if (rd.snapshot) storage.applySnapshot(rd.snapshot);
 * storage.append(rd.entries);
 * if (rd.hardState) storage.setHardState(rd.hardState);
 * if (rd.mustSync || rd.snapshot) await storage.sync(); // then send rd.messages
 * ```
 * @public
 */
export class FileRaftStorage implements RaftStorage {
  /** What recovery found when the storage was opened. */
  readonly recovery: FileRaftStorageRecovery;
  private readonly wal: WriteAheadLog;
  private readonly snapshots: SnapshotStore;
  private readonly keepSnapshots: number;
  private readonly maxRecordBytes: number;
  private snap: Snapshot;
  /** `log[0]` is a dummy standing for the index and term the cached log continues after. */
  private log: Entry[];
  /** WAL position of each `log` record (`positions[0]`: the record anchoring `log[0]`). */
  private positions: number[];
  private hard: HardState;
  private hardPos: number;
  private nextPos: number;
  /** Operations held back behind a snapshot file that must be durable first. */
  private queue: Op[] = [];
  /** Snapshots on disk (or queued), oldest first, with the position the log is needed from. */
  private anchors: Anchor[];
  private releaseWanted = false;
  private tail: Promise<unknown> = Promise.resolve();
  private failure: unknown = null;
  private closed = false;
  private counters = { snapshotsSaved: 0, segmentsReleased: 0 };

  private constructor(init: {
    wal: WriteAheadLog;
    snapshots: SnapshotStore;
    keepSnapshots: number;
    maxRecordBytes: number;
    snapshot: Snapshot;
    log: Entry[];
    positions: number[];
    hardState: HardState;
    hardPos: number;
    anchors: Anchor[];
    recovery: FileRaftStorageRecovery;
  }) {
    this.wal = init.wal;
    this.snapshots = init.snapshots;
    this.keepSnapshots = init.keepSnapshots;
    this.maxRecordBytes = init.maxRecordBytes;
    this.snap = init.snapshot;
    this.log = init.log;
    this.positions = init.positions;
    this.hard = init.hardState;
    this.hardPos = init.hardPos;
    this.anchors = init.anchors;
    this.recovery = init.recovery;
    this.nextPos = init.wal.lastIndex + 1;
  }

  /**
   * Opens (creating if missing) the storage in `dir`: loads the newest valid snapshot, replays
   * the log records after it, cuts off a torn tail, and makes the recovered state durable.
   * Throws {@link CorruptionError} for damage that is not a torn tail.
   */
  static async open(fs: FileSystem, dir: string, options: FileRaftStorageOptions = {}): Promise<FileRaftStorage> {
    const keepOlder = options.keepOlderSnapshots ?? 1;
    const maxRecordBytes = options.maxRecordBytes ?? 16 * MiB;
    const snapshots = await SnapshotStore.open(fs, joinPath(dir, 'snap'), { keepOlder });
    const loaded = await snapshots.loadLatest();
    const file = loaded.snapshot === null ? null : decodeSnapshotFile(loaded.snapshot.payload, loaded.snapshot.index, loaded.snapshot.file);
    const snapshot = file?.snapshot ?? EMPTY_SNAPSHOT;
    const walDir = joinPath(dir, 'wal');
    // Entry records carry 17 bytes of header (kind, term, index) before the data.
    const opened = await WriteAheadLog.open(fs, walDir, {
      segmentBytes: options.segmentBytes,
      maxBufferedBytes: options.maxBufferedBytes,
      maxRecordBytes: maxRecordBytes + ENTRY_HEADER_BYTES,
    });
    const { wal } = opened;
    try {
      const { index, term } = snapshot.metadata;
      const replayed = replayLog(opened.records, { index, term }, `raft log ${walDir}`);
      let next = wal.lastIndex + 1;
      let anchorPos = replayed.anchorPos;
      if (anchorPos === null) {
        anchorPos = next++;
        wal.append([{ index: anchorPos, type: RECORD_ANCHOR, payload: encodeAnchor({ index, term }) }]);
      }
      let hardState = replayed.hardState ?? file?.hardState ?? EMPTY_HARD_STATE;
      let hardPos = replayed.hardStatePos;
      if (replayed.hardState === null && !isEmptyHardState(hardState)) {
        hardPos = next++;
        wal.append([{ index: hardPos, type: RECORD_HARD_STATE, payload: encodeHardState(hardState) }]);
      }
      await wal.sync();
      const lastIndex = index + replayed.entries.length;
      // The commit index is not synced on its own, and may exceed a log shortened by a crash.
      if (hardState.commit > lastIndex) hardState = { ...hardState, commit: lastIndex };
      const anchors: Anchor[] = [];
      for (const i of await snapshots.list()) {
        const pos = i === index ? anchorPos : i < index ? replayed.positionOf(i) : null;
        if (pos !== null) anchors.unshift({ index: i, pos });
      }
      return new FileRaftStorage({
        wal,
        snapshots,
        keepSnapshots: keepOlder + 1,
        maxRecordBytes,
        snapshot,
        log: [{ index, term, type: 'normal', data: new Uint8Array(0) }, ...replayed.entries],
        positions: [anchorPos, ...replayed.positions],
        hardState,
        hardPos,
        anchors: anchors.slice(-(keepOlder + 1)),
        recovery: {
          tornTail: opened.tornTail,
          skippedSnapshots: loaded.skipped,
          snapshotIndex: index,
          entries: replayed.entries.length,
          staleEntries: replayed.staleEntries,
          hardStateSource: replayed.hardState !== null ? 'log' : file !== null && !isEmptyHardState(file.hardState) ? 'snapshot' : 'none',
        },
      });
    } catch (err) {
      await wal.close().catch(() => undefined);
      throw err;
    }
  }

  /** Counters since open. */
  get stats(): FileRaftStorageStats {
    return { ...this.wal.stats, ...this.counters };
  }

  /** {@inheritDoc RaftStorage.initialState} */
  initialState(): RaftInitialState {
    return { hardState: this.hard, confState: this.snap.metadata.confState };
  }

  /** {@inheritDoc RaftStorage.entries} */
  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    const offset = this.offset();
    if (lo <= offset) throw new LogCompactedError(lo);
    if (hi > this.lastIndex() + 1) throw new LogUnavailableError(hi - 1);
    if (lo >= hi) return [];
    return limitSizeInPlace(this.log.slice(lo - offset, hi - offset), maxBytes);
  }

  /** {@inheritDoc RaftStorage.term} */
  term(index: number): number {
    const offset = this.offset();
    if (index < offset) throw new LogCompactedError(index);
    if (index > this.lastIndex()) throw new LogUnavailableError(index);
    return (this.log[index - offset] as Entry).term;
  }

  /** {@inheritDoc RaftStorage.firstIndex} */
  firstIndex(): number {
    return this.offset() + 1;
  }

  /** {@inheritDoc RaftStorage.lastIndex} */
  lastIndex(): number {
    return this.offset() + this.log.length - 1;
  }

  /** {@inheritDoc RaftStorage.snapshot} */
  snapshot(): Snapshot {
    return this.snap;
  }

  /**
   * As {@link RaftStorage.append}. Overwriting a suffix cuts the log with a truncation marker when no later hard state would be
   * cut with it; otherwise the new entries simply follow, and recovery lets an entry replace
   * every logged entry at or after its index.
   */
  append(entries: readonly Entry[]): void {
    this.checkWritable();
    if (entries.length === 0) return;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as Entry;
      if (i > 0 && e.index !== (entries[i - 1] as Entry).index + 1) throw new ValidationError([{ path: `[${i}].index`, message: 'entries must be contiguous' }]);
      if (e.data.length > this.maxRecordBytes) throw new ValidationError([{ path: `[${i}].data`, message: `is more than ${this.maxRecordBytes} bytes` }]);
    }
    const first = this.firstIndex();
    const lastNew = (entries[entries.length - 1] as Entry).index;
    if (lastNew < first) return;
    const head = (entries[0] as Entry).index;
    const fresh = head < first ? entries.slice(first - head) : entries.slice();
    const start = (fresh[0] as Entry).index;
    if (start > this.lastIndex() + 1) throw new LogUnavailableError(start);
    const offset = this.offset();
    if (start <= this.lastIndex()) {
      const cut = (this.positions[start - offset] as number) - 1;
      if (this.hardPos <= cut && (this.positions[0] as number) <= cut) {
        this.write({ kind: 'truncate', after: cut });
        this.nextPos = cut + 1;
      }
    }
    const records = fresh.map((e) => ({ index: this.nextPos++, type: RECORD_ENTRY, payload: encodeEntry(e) }));
    this.write({ kind: 'records', records });
    // In place (the cache is never copied): cut a conflicting suffix, then push.
    const at = start - offset;
    this.log.length = at;
    this.positions.length = at;
    for (let i = 0; i < fresh.length; i++) {
      this.log.push(fresh[i] as Entry);
      this.positions.push((records[i] as WalRecord).index);
    }
  }

  /** {@inheritDoc RaftStorage.setHardState} */
  setHardState(hardState: HardState): void {
    this.checkWritable();
    if (hardStateEquals(hardState, this.hard)) return;
    this.hard = hardState;
    this.writeHardState();
  }

  /**
   * As {@link RaftStorage.applySnapshot}. The snapshot file is written first (by the next sync), then the log is reset after it.
   */
  applySnapshot(snapshot: Snapshot): void {
    this.checkWritable();
    const { index, term } = snapshot.metadata;
    if (index <= this.snap.metadata.index) {
      throw new SnapshotOutOfDateError(`snapshot at ${index} is not newer than the stored one at ${this.snap.metadata.index}`);
    }
    this.write({ kind: 'save', index, payload: encodeSnapshotFile(snapshot, this.hard) });
    this.write({ kind: 'reset', next: this.nextPos });
    const pos = this.nextPos++;
    this.write({ kind: 'records', records: [{ index: pos, type: RECORD_ANCHOR, payload: encodeAnchor({ index, term }) }] });
    // The reset discarded the hard-state record; if it is torn off, the snapshot file's copy is used.
    this.hardPos = -1;
    if (!isEmptyHardState(this.hard)) this.writeHardState();
    this.snap = snapshot;
    this.log = [{ index, term, type: 'normal', data: new Uint8Array(0) }];
    this.positions = [pos];
    this.addAnchor({ index, pos });
    // Segments before the reset are needed only by older snapshots still kept.
    this.releaseWanted = true;
  }

  /**
   * As {@link RaftStorage.compact}. Log segments are deleted by the next sync, and only below the oldest snapshot kept.
   */
  compact(index: number): void {
    this.checkWritable();
    const offset = this.offset();
    if (index <= offset) throw new LogCompactedError(index);
    if (index > this.snap.metadata.index || index > this.lastIndex()) throw new LogUnavailableError(index);
    const at = index - offset;
    this.log = [{ term: (this.log[at] as Entry).term, index, type: 'normal', data: new Uint8Array(0) }, ...this.log.slice(at + 1)];
    this.positions = this.positions.slice(at);
    this.releaseWanted = true;
    // Keep the hard state out of the segments about to be released: log a fresh copy.
    if (this.hardPos >= 0 && this.hardPos < this.releaseBound()) this.writeHardState();
  }

  /**
   * As {@link RaftStorage.createSnapshot}. The snapshot file is written by the next sync.
   */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    this.checkWritable();
    if (index <= this.snap.metadata.index) {
      throw new SnapshotOutOfDateError(`snapshot at ${index} is not newer than the stored one at ${this.snap.metadata.index}`);
    }
    if (index > this.lastIndex()) throw new LogUnavailableError(index);
    const snapshot: Snapshot = {
      metadata: { index, term: this.term(index), confState: { voters: [...confState.voters], learners: [...confState.learners] } },
      data,
    };
    this.write({ kind: 'save', index, payload: encodeSnapshotFile(snapshot, this.hard) });
    this.addAnchor({ index, pos: this.positions[index - this.offset()] as number });
    this.snap = snapshot;
    return snapshot;
  }

  /**
   * Makes every write so far durable: snapshot files first, then the log records buffered since
   * the last sync with one write and one fsync (group commit; rolling to a new segment adds an
   * fsync of the finished segment and one of the directory), then releases segments compaction
   * freed. After a failure the storage refuses further writes: reopen it to recover.
   */
  sync(): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError('raft storage'));
    if (this.failure !== null) return Promise.reject(this.failedError());
    const run = this.tail.then(() => this.flush());
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Syncs, then closes the log. Reads keep working from memory; writes throw {@link ClosedError}. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.failure === null) await this.sync();
    this.closed = true;
    await this.wal.close();
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const op = this.queue.shift() as Op;
        if (op.kind === 'save') {
          await this.snapshots.save(op.index, op.payload);
          this.counters.snapshotsSaved++;
        } else {
          this.apply(op);
        }
      }
      // Decided before the fsync: anything logged later is not durable when segments go.
      const release = this.releaseWanted ? Math.min(this.releaseBound(), this.hardPos < 0 ? Infinity : this.hardPos) : 0;
      this.releaseWanted = false;
      await this.wal.sync();
      if (release > 0 && Number.isFinite(release)) this.counters.segmentsReleased += await this.wal.releaseBefore(release);
    } catch (err) {
      this.failure = err;
      throw err;
    }
  }

  /** Writes `op` to the log buffer, or queues it behind a snapshot file still to be written. */
  private write(op: Op): void {
    if (op.kind === 'save' || this.queue.length > 0) this.queue.push(op);
    else this.apply(op);
  }

  private apply(op: Exclude<Op, { kind: 'save' }>): void {
    try {
      if (op.kind === 'records') this.wal.append(op.records);
      else if (op.kind === 'truncate') this.wal.truncateAfter(op.after);
      else this.wal.reset(op.next);
    } catch (err) {
      // The cache and the log may now disagree (e.g. too much appended without a sync).
      this.failure = err;
      throw err;
    }
  }

  private writeHardState(): void {
    this.hardPos = this.nextPos++;
    this.write({ kind: 'records', records: [{ index: this.hardPos, type: RECORD_HARD_STATE, payload: encodeHardState(this.hard) }] });
  }

  private addAnchor(anchor: Anchor): void {
    this.anchors = [...this.anchors, anchor].slice(-this.keepSnapshots);
  }

  /** Log records below this position are needed by no snapshot kept (0: none may go). */
  private releaseBound(): number {
    return this.anchors[0]?.pos ?? 0;
  }

  private offset(): number {
    return (this.log[0] as Entry).index;
  }

  private checkWritable(): void {
    if (this.closed) throw new ClosedError('raft storage');
    if (this.failure !== null) throw this.failedError();
  }

  private failedError(): Error {
    return new InvalidStateError('raft storage: a sync failed earlier; reopen the storage to recover', { cause: this.failure });
  }
}
