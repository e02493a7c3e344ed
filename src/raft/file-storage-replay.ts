import { CorruptionError } from '../errors/index.js';
import { decodeAnchor, decodeEntry, decodeHardState, RECORD_ANCHOR, RECORD_ENTRY, RECORD_HARD_STATE, type AnchorPoint } from './file-storage-codec.js';
import type { Entry, HardState } from './messages.js';
import type { WalRecord } from './wal/index.js';

/**
 * Replays the live records of a {@link FileRaftStorage} write-ahead log on top of a snapshot.
 *
 * The log's record positions (WAL indexes) are not raft indexes: hard-state and anchor records
 * are interleaved with entries. Entry records carry their raft index, and an entry record whose
 * index is at or below the last one replaces the suffix from that index (a conflicting suffix
 * the storage overwrote without a truncation marker). An anchor record `(index, term)` replaces
 * the whole log by "everything up to `index` is in a snapshot whose last term is `term`".
 */

/** What the log holds after a snapshot. @internal */
export interface Replayed {
  /** Entries after the snapshot, contiguous from its index + 1. */
  readonly entries: Entry[];
  /** Record position of each of `entries`. */
  readonly positions: number[];
  /**
   * Position of the record proving the log continues from the snapshot (the entry at the
   * snapshot's index, or an anchor record); 0 for the empty snapshot; `null` when the log does
   * not prove it and the caller must write an anchor record.
   */
  readonly anchorPos: number | null;
  /** The last hard state recorded, or `null`. */
  readonly hardState: HardState | null;
  /** Its position (-1 when none). */
  readonly hardStatePos: number;
  /** Entries found after the snapshot's index that belong to an older, replaced log. */
  readonly staleEntries: number;
  /** Position of the record of entry `index` (to keep the log needed by an older snapshot). */
  positionOf(index: number): number | null;
}

/**
 * Replays `records` (live WAL records, in order) on top of the snapshot point `snap`.
 * Throws {@link CorruptionError} when the records are inconsistent or do not reach back to the
 * snapshot (a gap between the snapshot and the first record).
 *
 * @internal
 */
export function replayLog(records: readonly WalRecord[], snap: AnchorPoint, where: string): Replayed {
  // The log rebuilt from the records: entries after `prevIndex`, whose term is `prevTerm` when
  // known (null when the log was released before it). `prevIndex < 0`: nothing seen yet.
  let prevIndex = -1;
  let prevTerm: number | null = null;
  let prevPos: number | null = null;
  let entries: Entry[] = [];
  let positions: number[] = [];
  let hardState: HardState | null = null;
  let hardStatePos = -1;

  for (const r of records) {
    if (r.type === RECORD_ENTRY) {
      const e = decodeEntry(r.payload);
      const last = prevIndex + entries.length;
      if (prevIndex < 0 || e.index <= prevIndex) {
        prevIndex = e.index - 1;
        prevTerm = null;
        prevPos = null;
        entries = [e];
        positions = [r.index];
      } else if (e.index <= last + 1) {
        entries.length = e.index - prevIndex - 1;
        positions.length = entries.length;
        entries.push(e);
        positions.push(r.index);
      } else {
        throw new CorruptionError(`${where}: record ${r.index} holds raft entry ${e.index}, but the log before it ends at ${last}`);
      }
    } else if (r.type === RECORD_HARD_STATE) {
      hardState = decodeHardState(r.payload);
      hardStatePos = r.index;
    } else if (r.type === RECORD_ANCHOR) {
      const a = decodeAnchor(r.payload);
      prevIndex = a.index;
      prevTerm = a.term;
      prevPos = r.index;
      entries = [];
      positions = [];
    } else {
      throw new CorruptionError(`${where}: record ${r.index} has unknown type ${r.type}`);
    }
  }

  const last = prevIndex < 0 ? -1 : prevIndex + entries.length;
  const termAt = (i: number): number | null | undefined => {
    if (prevIndex < 0 || i < prevIndex || i > last) return undefined;
    return i === prevIndex ? prevTerm : (entries[i - prevIndex - 1] as Entry).term;
  };
  const positionOf = (i: number): number | null => {
    if (prevIndex < 0 || i < prevIndex || i > last) return null;
    return i === prevIndex ? prevPos : (positions[i - prevIndex - 1] as number);
  };
  const common = { hardState, hardStatePos, positionOf };

  const s = snap.index;
  if (prevIndex > s) {
    throw new CorruptionError(`${where}: the log continues from raft index ${prevIndex + 1}, but the newest valid snapshot ends at ${s}; the entries in between are missing`);
  }
  const keep = (): Replayed => {
    const from = s - prevIndex;
    return { ...common, entries: entries.slice(from), positions: positions.slice(from), anchorPos: s === 0 ? 0 : positionOf(s), staleEntries: 0 };
  };
  if (s === 0) {
    if (prevIndex <= 0) return keep();
    throw new CorruptionError(`${where}: the log starts at raft index ${prevIndex + 1} but there is no snapshot`);
  }
  const t = termAt(s);
  if (t === snap.term) return keep();
  if (t === null) {
    throw new CorruptionError(`${where}: the log holds entries ${s + 1}..${last} after the snapshot at ${s}, but not the term of entry ${s}`);
  }
  // The log does not continue the snapshot: it ends before it, or it is an older branch that
  // the snapshot replaced (a leader's snapshot whose log reset never became durable).
  return { ...common, entries: [], positions: [], anchorPos: null, staleEntries: Math.max(0, last - s) };
}
