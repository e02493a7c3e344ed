import { CorruptionError } from '../../errors/index.js';
import { joinPath, type FileSystem } from './file-system.js';
import { decodeRecord, findValidRecord, KIND_ENTRY } from './record-format.js';

/**
 * Segment files and recovery. A log directory holds segments named `<seq>-<firstIndex>.wal`
 * (both zero-padded decimal, 16 and 20 digits, so names sort in sequence order): `seq` counts
 * segments from 1 without gaps, `firstIndex` is the index the first entry appended to the
 * segment had to have (the log's last index + 1 when the segment was started).
 */

/**
 * One record of the log, as appended and as recovered.
 *
 * @public
 */
export interface WalRecord {
  /** Position in the log: each appended record has the previous one's index + 1. */
  readonly index: number;
  /** The caller's tag, an integer in 0..65535 (e.g. entry, hard state, conf change). */
  readonly type: number;
  /** Opaque bytes. */
  readonly payload: Uint8Array;
}

/**
 * What recovery cut off the end of the last segment.
 *
 * @public
 */
export interface TornTail {
  /** Path of the segment that was cut. */
  readonly file: string;
  /** Offset the segment was cut at: the end of its last valid record. */
  readonly offset: number;
  /** Bytes removed. */
  readonly droppedBytes: number;
  /** Why the first dropped record was rejected. */
  readonly reason: string;
}

/** A segment known to the log. @internal */
export interface SegmentInfo {
  readonly seq: number;
  readonly firstIndex: number;
  readonly path: string;
  /** Bytes in the file, including bytes buffered but not yet written. */
  size: number;
}

/** Marker types (the `type` field of a truncation marker). @internal */
export const MARKER_TRUNCATE_AFTER = 0;
/** @internal */
export const MARKER_RESET = 1;

const SEGMENT_NAME = /^(\d{16})-(\d{20})\.wal$/;

/** The file name of segment `seq` starting at `firstIndex`. @internal */
export function segmentName(seq: number, firstIndex: number): string {
  return `${String(seq).padStart(16, '0')}-${String(firstIndex).padStart(20, '0')}.wal`;
}

/** Parses a segment file name; `null` for other files. @internal */
export function parseSegmentName(name: string): { seq: number; firstIndex: number } | null {
  const m = SEGMENT_NAME.exec(name);
  if (m === null) return null;
  const seq = Number(m[1]);
  const firstIndex = Number(m[2]);
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(firstIndex)) return null;
  return { seq, firstIndex };
}

/** The state rebuilt from a log directory. @internal */
export interface Recovered {
  readonly segments: SegmentInfo[];
  readonly records: WalRecord[];
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly tornTail: TornTail | null;
}

/**
 * Reads every segment in `dir`, validating checksums and index continuity, and cuts a torn tail
 * off the last segment (durably). Throws {@link CorruptionError} for anything else.
 *
 * @internal
 */
export async function recoverSegments(fs: FileSystem, dir: string, maxPayloadBytes: number): Promise<Recovered> {
  const segments: SegmentInfo[] = [];
  for (const name of await fs.readdir(dir)) {
    const parsed = parseSegmentName(name);
    if (parsed !== null) segments.push({ ...parsed, path: joinPath(dir, name), size: 0 });
  }
  segments.sort((a, b) => a.seq - b.seq);
  const records: WalRecord[] = [];
  let firstIndex = segments[0]?.firstIndex ?? 1;
  let lastIndex = firstIndex - 1;
  let tornTail: TornTail | null = null;

  for (let s = 0; s < segments.length; s++) {
    const segment = segments[s] as SegmentInfo;
    const isLast = s === segments.length - 1;
    if (s > 0 && segment.seq !== (segments[s - 1] as SegmentInfo).seq + 1) {
      throw new CorruptionError(`write-ahead log ${dir}: segment ${segment.path} follows segment ${(segments[s - 1] as SegmentInfo).seq}; a segment is missing`);
    }
    if (segment.firstIndex !== lastIndex + 1) {
      throw new CorruptionError(`write-ahead log ${segment.path}: segment starts at index ${segment.firstIndex} but the log before it ends at ${lastIndex}`);
    }
    const bytes = await fs.readFile(segment.path);
    let offset = 0;
    while (offset < bytes.length) {
      const decoded = decodeRecord(bytes, offset, maxPayloadBytes);
      if (!decoded.ok) {
        const where = `write-ahead log ${segment.path} at offset ${offset}`;
        if (!decoded.torn) throw new CorruptionError(`${where}: ${decoded.reason}`);
        if (!isLast) throw new CorruptionError(`${where}: ${decoded.reason} in a segment that is not the last`);
        const next = findValidRecord(bytes, offset + 1, maxPayloadBytes);
        if (next >= 0) throw new CorruptionError(`${where}: ${decoded.reason}, followed by a valid record at offset ${next}`);
        tornTail = { file: segment.path, offset, droppedBytes: bytes.length - offset, reason: decoded.reason };
        break;
      }
      const { record } = decoded;
      if (record.kind === KIND_ENTRY) {
        if (record.index !== lastIndex + 1) {
          throw new CorruptionError(`write-ahead log ${segment.path} at offset ${offset}: record index ${record.index} does not follow ${lastIndex}`);
        }
        records.push({ index: record.index, type: record.type, payload: record.payload });
        lastIndex = record.index;
      } else if (record.type === MARKER_RESET) {
        records.length = 0;
        firstIndex = record.index + 1;
        lastIndex = record.index;
      } else if (record.type === MARKER_TRUNCATE_AFTER && record.index < lastIndex) {
        // Below the first record (its segment was released): nothing before survives.
        if (record.index < firstIndex - 1) firstIndex = record.index + 1;
        records.length = record.index - firstIndex + 1;
        lastIndex = record.index;
      } else {
        throw new CorruptionError(`write-ahead log ${segment.path} at offset ${offset}: bad truncation marker (type ${record.type}, index ${record.index}, last index ${lastIndex})`);
      }
      offset = decoded.end;
    }
    segment.size = offset;
    if (tornTail !== null) {
      await fs.truncate(segment.path, offset);
      await fs.syncFile(segment.path);
    }
  }
  return { segments, records, firstIndex, lastIndex, tornTail };
}
