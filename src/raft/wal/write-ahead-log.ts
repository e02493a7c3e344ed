import { ClosedError, InvalidStateError, ValidationError } from '../../errors/index.js';
import { joinPath, type FileSystem, type WritableFile } from './file-system.js';
import { encodeRecord, HEADER_BYTES, KIND_ENTRY, KIND_TRUNCATE } from './record-format.js';
import {
  MARKER_RESET,
  MARKER_TRUNCATE_AFTER,
  recoverSegments,
  segmentName,
  type SegmentInfo,
  type TornTail,
  type WalRecord,
} from './segment.js';

/**
 * Options of {@link WriteAheadLog.open}. Every buffer is bounded.
 *
 * @public
 */
export interface WriteAheadLogOptions {
  /** A segment is rolled when the next record would take it past this size (default 64 MiB). */
  readonly segmentBytes?: number;
  /** Largest payload accepted by `append`, and trusted by recovery (default 16 MiB). */
  readonly maxRecordBytes?: number;
  /** Largest amount of appended-but-unsynced data; `append` throws beyond it (default 64 MiB). */
  readonly maxBufferedBytes?: number;
  /** Index of the first record of a brand-new log (default 1). Ignored when segments exist. */
  readonly firstIndex?: number;
}

/**
 * Counters of a {@link WriteAheadLog} since it was opened.
 *
 * @public
 */
export interface WriteAheadLogStats {
  /** Records appended (truncation markers not included). */
  readonly records: number;
  /** Bytes appended, headers and markers included. */
  readonly bytes: number;
  /** Fsyncs issued: files and directories. */
  readonly fsyncs: number;
  /** Group commits: batches written by `sync`. */
  readonly syncs: number;
  /** Segment files currently in the directory. */
  readonly segments: number;
}

/**
 * What {@link WriteAheadLog.open} returns: the log, ready to append after `lastIndex`, and
 * everything recovered.
 *
 * @public
 */
export interface WriteAheadLogOpenResult {
  /** The open log. */
  readonly wal: WriteAheadLog;
  /** The live records, in index order (truncated suffixes already removed). */
  readonly records: readonly WalRecord[];
  /** Index of the first recovered record (`lastIndex + 1` when there are none). */
  readonly firstIndex: number;
  /** Index of the last recovered record (`firstIndex - 1` when there are none). */
  readonly lastIndex: number;
  /** What was cut off the end of the last segment, or `null` when it ended cleanly. */
  readonly tornTail: TornTail | null;
}

/** Bytes waiting for the next sync, destined for one segment. */
interface PendingBatch {
  readonly segment: SegmentInfo;
  buf: Uint8Array;
  len: number;
}

const MiB = 1024 * 1024;

/**
 * A durable, segmented, checksummed write-ahead log of opaque records. The record format is
 * described in `record-format.ts`, segment naming and the recovery rules in `segment.ts`.
 *
 * Appends are buffered in memory; {@link WriteAheadLog.sync} writes everything appended since
 * the previous sync and fsyncs once (group commit). Calls to `sync` made while one is in flight
 * share it when they have nothing new, or share the single next one when they do. All file I/O
 * (sync, release, close) runs one operation at a time.
 *
 * After an I/O error the log refuses every further call: the state of the page cache after a
 * failed fsync is unknowable, so the only safe continuation is to reopen and recover.
 *
 * @example
 * ```ts
 * const { wal, records } = await WriteAheadLog.open(new NodeFileSystem(), '/var/lib/app/wal');
 * wal.append([{ index: wal.lastIndex + 1, type: 1, payload }]);
 * await wal.sync(); // durable
 * ```
 * @public
 */
export class WriteAheadLog {
  private readonly fs: FileSystem;
  private readonly dir: string;
  private readonly segmentBytes: number;
  private readonly maxRecordBytes: number;
  private readonly maxBufferedBytes: number;
  private readonly segments: SegmentInfo[];
  /** Segments created on disk whose directory entry is durable. */
  private readonly durableSegments = new Set<SegmentInfo>();
  private current: { segment: SegmentInfo; file: WritableFile; dirty: boolean };
  private last: number;
  private pending: PendingBatch[] = [];
  private bufferedBytes = 0;
  private ioTail: Promise<unknown> = Promise.resolve();
  private lastSync: Promise<void> = Promise.resolve();
  private queuedSync: Promise<void> | null = null;
  private failure: unknown = null;
  private closed = false;
  private counters = { records: 0, bytes: 0, fsyncs: 0, syncs: 0 };

  private constructor(fs: FileSystem, dir: string, options: Required<WriteAheadLogOptions>, segments: SegmentInfo[], file: WritableFile, lastIndex: number) {
    this.fs = fs;
    this.dir = dir;
    this.segmentBytes = options.segmentBytes;
    this.maxRecordBytes = options.maxRecordBytes;
    this.maxBufferedBytes = options.maxBufferedBytes;
    this.segments = segments;
    for (const s of segments) this.durableSegments.add(s);
    this.current = { segment: segments[segments.length - 1] as SegmentInfo, file, dirty: false };
    this.last = lastIndex;
  }

  /**
   * Opens the log in `dir` (created if missing), recovering every segment: a torn tail of the
   * last segment is cut off durably and reported; any other damage throws
   * {@link CorruptionError} naming the file and offset.
   */
  static async open(fs: FileSystem, dir: string, options: WriteAheadLogOptions = {}): Promise<WriteAheadLogOpenResult> {
    const resolved: Required<WriteAheadLogOptions> = {
      segmentBytes: options.segmentBytes ?? 64 * MiB,
      maxRecordBytes: options.maxRecordBytes ?? 16 * MiB,
      maxBufferedBytes: options.maxBufferedBytes ?? 64 * MiB,
      firstIndex: options.firstIndex ?? 1,
    };
    const issues = [];
    for (const key of ['segmentBytes', 'maxRecordBytes', 'maxBufferedBytes', 'firstIndex'] as const) {
      if (!Number.isSafeInteger(resolved[key]) || resolved[key] < 1) issues.push({ path: key, message: 'must be a positive safe integer' });
    }
    if (issues.length > 0) throw new ValidationError(issues);
    await fs.mkdirp(dir);
    const recovered = await recoverSegments(fs, dir, resolved.maxRecordBytes);
    const segments = recovered.segments;
    let { firstIndex, lastIndex } = recovered;
    let fsyncs = recovered.tornTail === null ? 0 : 1;
    if (segments.length === 0) {
      firstIndex = resolved.firstIndex;
      lastIndex = firstIndex - 1;
      segments.push({ seq: 1, firstIndex, path: joinPath(dir, segmentName(1, firstIndex)), size: 0 });
    }
    const tail = segments[segments.length - 1] as SegmentInfo;
    const file = await fs.openAppend(tail.path);
    // Recovered bytes may still sit only in the page cache (after a process crash rather than a
    // power loss); make them durable before the caller acts on them, and make the directory
    // entries (including a segment just created) durable too.
    for (const segment of segments) {
      await fs.syncFile(segment.path);
      fsyncs++;
    }
    await fs.syncDir(dir);
    fsyncs++;
    const wal = new WriteAheadLog(fs, dir, resolved, segments, file, lastIndex);
    wal.counters.fsyncs = fsyncs;
    return { wal, records: recovered.records, firstIndex, lastIndex, tornTail: recovered.tornTail };
  }

  /** Index of the last record appended (durable or not). */
  get lastIndex(): number {
    return this.last;
  }

  /** Counters since open. */
  get stats(): WriteAheadLogStats {
    return { ...this.counters, segments: this.segments.length };
  }

  /**
   * Buffers `records` for the next {@link WriteAheadLog.sync}. Each index must be the previous
   * one + 1 (the first: `lastIndex + 1`). All or nothing: on a bad record nothing is appended.
   */
  append(records: readonly WalRecord[]): void {
    this.checkUsable();
    let expected = this.last + 1;
    let total = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as WalRecord;
      if (r.index !== expected) throw new InvalidStateError(`write-ahead log ${this.dir}: record ${i} has index ${r.index}, expected ${expected}`);
      if (!Number.isSafeInteger(r.index)) throw new ValidationError([{ path: `[${i}].index`, message: 'must be a safe integer' }]);
      if (!Number.isInteger(r.type) || r.type < 0 || r.type > 0xffff) throw new ValidationError([{ path: `[${i}].type`, message: 'must be an integer in 0..65535' }]);
      if (r.payload.length > this.maxRecordBytes) {
        throw new ValidationError([{ path: `[${i}].payload`, message: `is ${r.payload.length} bytes, more than the ${this.maxRecordBytes}-byte limit` }]);
      }
      total += HEADER_BYTES + r.payload.length;
      expected++;
    }
    this.reserve(total);
    for (const r of records) this.write(KIND_ENTRY, r.index, r.type, r.payload);
    this.counters.records += records.length;
  }

  /**
   * Discards every record after `index` (raft overwriting a conflicting suffix); the next append
   * takes index `index + 1`. Implemented by appending a truncation marker, so it is durable with
   * the next sync, in order with the appends around it, and costs no extra fsync; recovery applies
   * it. A no-op when `index >= lastIndex`.
   */
  truncateAfter(index: number): void {
    this.checkUsable();
    if (!Number.isSafeInteger(index) || index < 0) throw new ValidationError([{ path: 'index', message: 'must be a non-negative safe integer' }]);
    if (index >= this.last) return;
    this.reserve(HEADER_BYTES);
    this.write(KIND_TRUNCATE, index, MARKER_TRUNCATE_AFTER, EMPTY);
  }

  /**
   * Discards every record and makes `nextIndex` the index of the next append (a snapshot
   * replaced the whole log). Durable with the next sync, like {@link WriteAheadLog.truncateAfter}.
   */
  reset(nextIndex: number): void {
    this.checkUsable();
    if (!Number.isSafeInteger(nextIndex) || nextIndex < 1) throw new ValidationError([{ path: 'nextIndex', message: 'must be a positive safe integer' }]);
    this.reserve(HEADER_BYTES);
    this.write(KIND_TRUNCATE, nextIndex - 1, MARKER_RESET, EMPTY);
  }

  /**
   * Makes everything appended so far durable: one write per segment touched and one fsync (plus,
   * when a segment was rolled, an fsync of the finished segment and of the directory).
   */
  sync(): Promise<void> {
    if (this.failure !== null || this.closed) return Promise.reject(this.unusableError());
    if (this.pending.length === 0) return this.lastSync;
    if (this.queuedSync !== null) return this.queuedSync;
    const run = this.serial(async () => {
      this.queuedSync = null;
      await this.flush();
    });
    this.queuedSync = run;
    this.lastSync = run;
    return run;
  }

  /**
   * Deletes whole segments holding only records below `index` (after a snapshot covers them).
   * The segment being appended to is never deleted. Returns how many segments were removed.
   */
  releaseBefore(index: number): Promise<number> {
    if (this.failure !== null || this.closed) return Promise.reject(this.unusableError());
    return this.serial(async () => {
      let removed = 0;
      for (;;) {
        const [first, second] = this.segments;
        if (first === undefined || second === undefined) break;
        // Every live record of `first` is below `second.firstIndex`.
        if (second.firstIndex > index || !this.durableSegments.has(second)) break;
        await this.fs.unlink(first.path);
        // One directory fsync per unlink, so a crash never leaves a gap in the sequence.
        await this.fs.syncDir(this.dir);
        this.counters.fsyncs++;
        this.segments.shift();
        this.durableSegments.delete(first);
        removed++;
      }
      return removed;
    });
  }

  /** Syncs what is buffered, then closes the current segment. Later calls throw {@link ClosedError}. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.failure === null) await this.sync();
    this.closed = true;
    await this.serial(() => this.current.file.close());
  }

  private reserve(bytes: number): void {
    if (this.bufferedBytes + bytes > this.maxBufferedBytes) {
      throw new InvalidStateError(`write-ahead log ${this.dir}: more than ${this.maxBufferedBytes} bytes appended without sync`);
    }
  }

  private write(kind: number, index: number, type: number, payload: Uint8Array): void {
    const size = HEADER_BYTES + payload.length;
    let tail = this.segments[this.segments.length - 1] as SegmentInfo;
    if (tail.size > 0 && tail.size + size > this.segmentBytes) {
      const seq = tail.seq + 1;
      tail = { seq, firstIndex: this.last + 1, path: joinPath(this.dir, segmentName(seq, this.last + 1)), size: 0 };
      this.segments.push(tail);
    }
    let batch = this.pending[this.pending.length - 1];
    if (batch === undefined || batch.segment !== tail) {
      batch = { segment: tail, buf: new Uint8Array(Math.max(4096, size)), len: 0 };
      this.pending.push(batch);
    }
    if (batch.len + size > batch.buf.length) {
      const grown = new Uint8Array(Math.max(batch.buf.length * 2, batch.len + size));
      grown.set(batch.buf.subarray(0, batch.len));
      batch.buf = grown;
    }
    batch.len = encodeRecord(batch.buf, batch.len, kind, index, type, payload);
    tail.size += size;
    this.bufferedBytes += size;
    this.counters.bytes += size;
    this.last = index;
  }

  /** Writes and fsyncs every pending batch. Runs inside `serial`. */
  private async flush(): Promise<void> {
    const batches = this.pending;
    this.pending = [];
    this.bufferedBytes = 0;
    if (batches.length === 0) return;
    try {
      let created = false;
      for (const batch of batches) {
        if (batch.segment !== this.current.segment) {
          // Roll: the finished segment is made durable before its successor exists, so recovery
          // never sees a later segment after a torn one.
          if (this.current.dirty) await this.fsyncCurrent();
          await this.current.file.close();
          const file = await this.fs.openAppend(batch.segment.path);
          this.current = { segment: batch.segment, file, dirty: false };
          created = true;
        }
        await this.current.file.append(batch.buf.subarray(0, batch.len));
        this.current.dirty = true;
      }
      await this.fsyncCurrent();
      if (created) {
        await this.fs.syncDir(this.dir);
        this.counters.fsyncs++;
        for (const batch of batches) this.durableSegments.add(batch.segment);
      }
      this.counters.syncs++;
    } catch (err) {
      this.failure = err;
      throw new InvalidStateError(`write-ahead log ${this.dir}: sync failed; reopen the log to recover`, { cause: err });
    }
  }

  private async fsyncCurrent(): Promise<void> {
    await this.current.file.sync();
    this.current.dirty = false;
    this.counters.fsyncs++;
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.ioTail.then(() => {
      if (this.failure !== null) throw this.unusableError();
      return op();
    });
    this.ioTail = run.catch(() => undefined);
    return run;
  }

  private checkUsable(): void {
    if (this.failure !== null || this.closed) throw this.unusableError();
  }

  private unusableError(): Error {
    if (this.failure !== null) return new InvalidStateError(`write-ahead log ${this.dir} failed earlier; reopen it to recover`, { cause: this.failure });
    return new ClosedError(`write-ahead log ${this.dir}`);
  }
}

const EMPTY = new Uint8Array(0);
