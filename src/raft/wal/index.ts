/**
 * Durable write-ahead log layer: a file-system seam with a real and a simulated (crashable)
 * implementation, a segmented checksummed log, and an atomic snapshot store. Raft-agnostic:
 * records are opaque payloads with a small type tag.
 *
 * Record format (little-endian, 20-byte header): crc32c (over the rest), payload length,
 * index (u64, safe-integer range), kind (entry or truncation marker), reserved, type (u16),
 * payload. Segments are `<seq>-<firstIndex>.wal`, rolled at `segmentBytes` (default 64 MiB).
 *
 * Recovery: a torn or corrupt tail of the last segment (short header, short record, checksum
 * mismatch, zero fill) with no valid record after it is cut off durably and reported as
 * `tornTail`; any other damage (a bad record followed by a valid one, a bad record in an earlier
 * segment, an index out of sequence, a missing segment) throws `CorruptionError` naming the file
 * and offset.
 *
 * @packageDocumentation
 */
export { crc32c } from './crc32c.js';
export { joinPath, dirnameOf } from './file-system.js';
export type { FileSystem, WritableFile, OpenAppendOptions } from './file-system.js';
export { NodeFileSystem } from './node-file-system.js';
export { SimulatedFileSystem } from './simulated-file-system.js';
export type { SimulatedFileSystemOptions, SimulatedFileSystemStats } from './simulated-file-system.js';
export type { WalRecord, TornTail } from './segment.js';
export { WriteAheadLog } from './write-ahead-log.js';
export type { WriteAheadLogOptions, WriteAheadLogStats, WriteAheadLogOpenResult } from './write-ahead-log.js';
export { SnapshotStore } from './snapshot-store.js';
export type { SnapshotStoreOptions, SkippedSnapshot, LoadedSnapshot } from './snapshot-store.js';
