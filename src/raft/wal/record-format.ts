import { crc32c } from './crc32c.js';

/**
 * On-disk framing of one log record. Little-endian, 20-byte header, then the payload:
 *
 * ```
 * offset size field
 *  0     4    crc32c of bytes [4, 20 + payloadLength)  (length, index, kind, type and payload)
 *  4     4    payloadLength
 *  8     4    index, low 32 bits
 * 12     4    index, high 21 bits (the rest must be zero: indexes are safe integers)
 * 16     1    kind: 1 = entry, 2 = truncation marker
 * 17     1    reserved, zero
 * 18     2    type (the caller's tag, 0..65535)
 * 20     n    payload
 * ```
 *
 * An all-zero header is never valid (kind 0), so zero-filled preallocated space reads as a torn
 * tail, not as records.
 */

/** Header bytes before each payload. @internal */
export const HEADER_BYTES = 20;

/** Record kinds. @internal */
export const KIND_ENTRY = 1;
/** @internal */
export const KIND_TRUNCATE = 2;

/** A decoded record as stored. @internal */
export interface RawRecord {
  readonly kind: number;
  readonly index: number;
  readonly type: number;
  readonly payload: Uint8Array;
}

/** Writes one record into `out` at `offset`; returns the offset after it. @internal */
export function encodeRecord(out: Uint8Array, offset: number, kind: number, index: number, type: number, payload: Uint8Array): number {
  // Byte by byte rather than through a DataView: this runs once per record on the append path.
  putU32(out, offset + 4, payload.length);
  putU32(out, offset + 8, index >>> 0);
  putU32(out, offset + 12, Math.floor(index / 0x100000000));
  out[offset + 16] = kind;
  out[offset + 17] = 0;
  out[offset + 18] = type & 0xff;
  out[offset + 19] = (type >>> 8) & 0xff;
  out.set(payload, offset + HEADER_BYTES);
  const end = offset + HEADER_BYTES + payload.length;
  putU32(out, offset, crc32c(out, 0, offset + 4, end));
  return end;
}

function putU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v & 0xff;
  out[at + 1] = (v >>> 8) & 0xff;
  out[at + 2] = (v >>> 16) & 0xff;
  out[at + 3] = (v >>> 24) & 0xff;
}

/** Outcome of decoding at one offset. @internal */
export type DecodeResult =
  | { readonly ok: true; readonly record: RawRecord; readonly end: number }
  /** `torn`: too short, or length/checksum wrong: what a torn write or flipped bit looks like. */
  | { readonly ok: false; readonly torn: true; readonly reason: string }
  /** `invalid`: the checksum matches but the fields are impossible: never a torn write. */
  | { readonly ok: false; readonly torn: false; readonly reason: string };

/** Decodes the record at `offset` of `bytes`, checking length bounds and the checksum. @internal */
export function decodeRecord(bytes: Uint8Array, offset: number, maxPayloadBytes: number): DecodeResult {
  const remaining = bytes.length - offset;
  if (remaining < HEADER_BYTES) return { ok: false, torn: true, reason: `incomplete header (${remaining} of ${HEADER_BYTES} bytes)` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(offset + 4, true);
  if (length > maxPayloadBytes) return { ok: false, torn: true, reason: `length ${length} exceeds the ${maxPayloadBytes}-byte limit` };
  const end = offset + HEADER_BYTES + length;
  if (end > bytes.length) return { ok: false, torn: true, reason: `incomplete record (${remaining} of ${HEADER_BYTES + length} bytes)` };
  const stored = view.getUint32(offset, true);
  const actual = crc32c(bytes, 0, offset + 4, end);
  if (stored !== actual) return { ok: false, torn: true, reason: `checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)})` };
  const kind = bytes[offset + 16] as number;
  const hi = view.getUint32(offset + 12, true);
  if (kind !== KIND_ENTRY && kind !== KIND_TRUNCATE) return { ok: false, torn: false, reason: `unknown record kind ${kind}` };
  if (bytes[offset + 17] !== 0) return { ok: false, torn: false, reason: 'reserved byte is not zero' };
  if (hi >= 0x200000) return { ok: false, torn: false, reason: 'index exceeds Number.MAX_SAFE_INTEGER' };
  const index = hi * 0x100000000 + view.getUint32(offset + 8, true);
  const type = view.getUint16(offset + 18, true);
  return { ok: true, end, record: { kind, index, type, payload: bytes.subarray(offset + HEADER_BYTES, end) } };
}

/**
 * The offset of the first plausible record (well-formed header, matching checksum) at or after
 * `from`, or -1. Used after a bad record to tell a torn tail (nothing valid follows) from damage
 * in the middle (valid records follow). Cheap field checks run before the checksum, so zeros and
 * random garbage are skipped quickly.
 *
 * @internal
 */
export function findValidRecord(bytes: Uint8Array, from: number, maxPayloadBytes: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = from; at + HEADER_BYTES <= bytes.length; at++) {
    const kind = bytes[at + 16];
    if ((kind !== KIND_ENTRY && kind !== KIND_TRUNCATE) || bytes[at + 17] !== 0) continue;
    if (view.getUint32(at + 12, true) >= 0x200000) continue;
    const length = view.getUint32(at + 4, true);
    if (length > maxPayloadBytes || at + HEADER_BYTES + length > bytes.length) continue;
    if (view.getUint32(at, true) === crc32c(bytes, 0, at + 4, at + HEADER_BYTES + length)) return at;
  }
  return -1;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
