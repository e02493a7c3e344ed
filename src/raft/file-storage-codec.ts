import { CorruptionError } from '../errors/index.js';
import type { ConfState, Entry, HardState, Snapshot } from './messages.js';

/**
 * Payload encodings of the records {@link FileRaftStorage} writes into its write-ahead log, and
 * of its snapshot files. Everything is little-endian; integers that may exceed 32 bits are
 * written as two u32 halves (low, high) and must be safe integers. The write-ahead log already
 * frames and checksums every record, so a decoding failure here means a bug or deliberate damage
 * and is reported as {@link CorruptionError}.
 *
 * ```
 * entry       (type 1)  u8 kind (0 normal, 1 confChange) | u64 term | u64 index | data
 * hard state  (type 2)  u64 term | u64 commit | u8 hasVote | [u16 len | utf-8 vote]
 * anchor      (type 3)  u64 index | u64 term   (the log now continues after this snapshot point)
 * snapshot file         u8 version (1) | u64 index | u64 term | hard state | conf state | data
 * conf state            u32 voters | voters | u32 learners | learners, each u16 len | utf-8
 * ```
 */

/** WAL record type of a log entry. @internal */
export const RECORD_ENTRY = 1;
/** WAL record type of a hard state. @internal */
export const RECORD_HARD_STATE = 2;
/** WAL record type of a snapshot anchor: the log continues after `(index, term)`. @internal */
export const RECORD_ANCHOR = 3;

const SNAPSHOT_VERSION = 1;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A snapshot point: the index and term the log continues after. @internal */
export interface AnchorPoint {
  readonly index: number;
  readonly term: number;
}

/** A decoded snapshot file: the snapshot and the hard state when it was stored. @internal */
export interface SnapshotFile {
  readonly snapshot: Snapshot;
  readonly hardState: HardState;
}

class Writer {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.len, v, true);
    this.len += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.len, v, true);
    this.len += 4;
  }

  u64(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${v} is not a non-negative safe integer`);
    this.u32(v >>> 0);
    this.u32(Math.floor(v / 0x100000000));
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  str(s: string): void {
    const b = utf8.encode(s);
    if (b.length > 0xffff) throw new RangeError('string longer than 65535 bytes');
    this.u16(b.length);
    this.bytes(b);
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

class Reader {
  private at = 0;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new CorruptionError(`${this.what}: truncated payload (${this.buf.length} bytes)`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++] as number;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.at, true);
    this.at += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.at, true);
    this.at += 4;
    return v;
  }

  u64(): number {
    const lo = this.u32();
    const hi = this.u32();
    if (hi >= 0x200000) throw new CorruptionError(`${this.what}: integer exceeds Number.MAX_SAFE_INTEGER`);
    return hi * 0x100000000 + lo;
  }

  str(): string {
    const n = this.u16();
    this.need(n);
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    try {
      return fromUtf8.decode(b);
    } catch (err) {
      throw new CorruptionError(`${this.what}: invalid utf-8 string`, { cause: err });
    }
  }

  rest(): Uint8Array {
    const out = this.buf.slice(this.at);
    this.at = this.buf.length;
    return out;
  }

  end(): void {
    if (this.at !== this.buf.length) throw new CorruptionError(`${this.what}: ${this.buf.length - this.at} unexpected trailing bytes`);
  }
}

/** Encodes a log entry record payload. @internal */
export function encodeEntry(e: Entry): Uint8Array {
  // The hot path of every durable append: one exact allocation, no growth, no DataView.
  const out = new Uint8Array(17 + e.data.length);
  out[0] = e.type === 'confChange' ? 1 : 0;
  putU64(out, 1, e.term);
  putU64(out, 9, e.index);
  out.set(e.data, 17);
  return out;
}

function putU64(out: Uint8Array, at: number, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${v} is not a non-negative safe integer`);
  const lo = v >>> 0;
  const hi = Math.floor(v / 0x100000000);
  out[at] = lo & 0xff;
  out[at + 1] = (lo >>> 8) & 0xff;
  out[at + 2] = (lo >>> 16) & 0xff;
  out[at + 3] = lo >>> 24;
  out[at + 4] = hi & 0xff;
  out[at + 5] = (hi >>> 8) & 0xff;
  out[at + 6] = (hi >>> 16) & 0xff;
  out[at + 7] = hi >>> 24;
}

/** Decodes a log entry record payload. @internal */
export function decodeEntry(payload: Uint8Array): Entry {
  const r = new Reader(payload, 'raft entry record');
  const kind = r.u8();
  if (kind > 1) throw new CorruptionError(`raft entry record: unknown entry type ${kind}`);
  const term = r.u64();
  const index = r.u64();
  return { term, index, type: kind === 1 ? 'confChange' : 'normal', data: r.rest() };
}

function writeHardState(w: Writer, hs: HardState): void {
  w.u64(hs.term);
  w.u64(hs.commit);
  w.u8(hs.vote === null ? 0 : 1);
  if (hs.vote !== null) w.str(hs.vote);
}

function readHardState(r: Reader): HardState {
  const term = r.u64();
  const commit = r.u64();
  const hasVote = r.u8();
  if (hasVote > 1) throw new CorruptionError(`raft hard state: bad vote flag ${hasVote}`);
  return { term, vote: hasVote === 1 ? r.str() : null, commit };
}

/** Encodes a hard-state record payload (17 bytes plus the vote's length). @internal */
export function encodeHardState(hs: HardState): Uint8Array {
  const w = new Writer();
  writeHardState(w, hs);
  return w.done();
}

/** Decodes a hard-state record payload. @internal */
export function decodeHardState(payload: Uint8Array): HardState {
  const r = new Reader(payload, 'raft hard state record');
  const hs = readHardState(r);
  r.end();
  return hs;
}

/** Encodes an anchor record payload. @internal */
export function encodeAnchor(point: AnchorPoint): Uint8Array {
  const w = new Writer();
  w.u64(point.index);
  w.u64(point.term);
  return w.done();
}

/** Decodes an anchor record payload. @internal */
export function decodeAnchor(payload: Uint8Array): AnchorPoint {
  const r = new Reader(payload, 'raft anchor record');
  const index = r.u64();
  const term = r.u64();
  r.end();
  return { index, term };
}

function writeStrings(w: Writer, list: readonly string[]): void {
  w.u32(list.length);
  for (const s of list) w.str(s);
}

function readStrings(r: Reader): string[] {
  const n = r.u32();
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(r.str());
  return out;
}

/** Encodes a snapshot file payload. @internal */
export function encodeSnapshotFile(snapshot: Snapshot, hardState: HardState): Uint8Array {
  const w = new Writer();
  w.u8(SNAPSHOT_VERSION);
  w.u64(snapshot.metadata.index);
  w.u64(snapshot.metadata.term);
  writeHardState(w, hardState);
  writeStrings(w, snapshot.metadata.confState.voters);
  writeStrings(w, snapshot.metadata.confState.learners);
  w.bytes(snapshot.data);
  return w.done();
}

/** Decodes a snapshot file payload; `index` is the index its file name and header carry. @internal */
export function decodeSnapshotFile(payload: Uint8Array, index: number, file: string): SnapshotFile {
  const r = new Reader(payload, `raft snapshot ${file}`);
  const version = r.u8();
  if (version !== SNAPSHOT_VERSION) throw new CorruptionError(`raft snapshot ${file}: unknown version ${version}`);
  const stored = r.u64();
  if (stored !== index) throw new CorruptionError(`raft snapshot ${file}: metadata index ${stored} does not match ${index}`);
  const term = r.u64();
  const hardState = readHardState(r);
  const confState: ConfState = { voters: readStrings(r), learners: readStrings(r) };
  return { snapshot: { metadata: { index, term, confState }, data: r.rest() }, hardState };
}
