import { CorruptionError, InvalidStateError, ValidationError } from '../../errors/index.js';
import { crc32c } from './crc32c.js';
import { joinPath, type FileSystem } from './file-system.js';

/**
 * Snapshot file format (little-endian):
 *
 * ```
 * offset size field
 *  0     8    magic "FLOTSNP1"
 *  8     4    crc32c of bytes [12, end)
 * 12     4    payload length
 * 16     4    index, low 32 bits
 * 20     4    index, high 21 bits
 * 24     n    payload
 * ```
 */
const MAGIC = new TextEncoder().encode('FLOTSNP1');
const HEADER = 24;
const NAME = /^snapshot-(\d{20})\.snap$/;
const TEMP = /^snapshot-\d{20}\.snap\.tmp$/;

/**
 * Options of {@link SnapshotStore.open}.
 *
 * @public
 */
export interface SnapshotStoreOptions {
  /** How many snapshots older than the newest to keep as fallbacks (default 1). */
  readonly keepOlder?: number;
}

/**
 * A snapshot file that could not be used, and why.
 *
 * @public
 */
export interface SkippedSnapshot {
  /** Path of the file. */
  readonly file: string;
  /** What was wrong with it. */
  readonly reason: string;
}

/**
 * The result of {@link SnapshotStore.loadLatest}.
 *
 * @public
 */
export interface LoadedSnapshot {
  /** The newest valid snapshot, or `null` when the directory holds none. */
  readonly snapshot: { readonly index: number; readonly payload: Uint8Array; readonly file: string } | null;
  /** Newer snapshot files that were corrupt and passed over (newest first). */
  readonly skipped: readonly SkippedSnapshot[];
}

/**
 * Stores snapshots as checksummed files named `snapshot-<index>.snap` in one directory.
 *
 * `save` is atomic: the bytes go to a temporary file, which is fsynced, renamed over the final
 * name, and the directory fsynced, so a crash at any point leaves either the old set of
 * snapshots or the new one. The newest snapshot and `keepOlder` older ones are kept; when the
 * newest is corrupt, `loadLatest` falls back to an older one and reports the skipped file. Keep
 * the write-ahead log from the oldest kept snapshot on (release it only below that index) so a
 * fallback still finds every record after it.
 *
 * @public
 */
export class SnapshotStore {
  private readonly fs: FileSystem;
  private readonly dir: string;
  private readonly keepOlder: number;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(fs: FileSystem, dir: string, keepOlder: number) {
    this.fs = fs;
    this.dir = dir;
    this.keepOlder = keepOlder;
  }

  /** Opens (creating if missing) the snapshot directory and removes leftover temporary files. */
  static async open(fs: FileSystem, dir: string, options: SnapshotStoreOptions = {}): Promise<SnapshotStore> {
    const keepOlder = options.keepOlder ?? 1;
    if (!Number.isSafeInteger(keepOlder) || keepOlder < 0) throw new ValidationError([{ path: 'keepOlder', message: 'must be a non-negative integer' }]);
    await fs.mkdirp(dir);
    let removed = false;
    for (const name of await fs.readdir(dir)) {
      if (TEMP.test(name)) {
        await fs.unlink(joinPath(dir, name));
        removed = true;
      }
    }
    if (removed) await fs.syncDir(dir);
    return new SnapshotStore(fs, dir, keepOlder);
  }

  /** Indexes of the snapshot files present, newest first (valid or not). */
  async list(): Promise<number[]> {
    const out: number[] = [];
    for (const name of await this.fs.readdir(this.dir)) {
      const m = NAME.exec(name);
      if (m !== null) out.push(Number(m[1]));
    }
    return out.sort((a, b) => b - a);
  }

  /**
   * Durably stores a snapshot taken at log `index`, then prunes old ones. Returns its path.
   * `index` may not be below the newest stored snapshot's.
   */
  save(index: number, payload: Uint8Array): Promise<string> {
    if (!Number.isSafeInteger(index) || index < 0) return Promise.reject(new ValidationError([{ path: 'index', message: 'must be a non-negative safe integer' }]));
    if (payload.length > 0xffffffff) return Promise.reject(new ValidationError([{ path: 'payload', message: 'must be under 4 GiB' }]));
    return this.serial(async () => {
      const newest = (await this.list())[0];
      if (newest !== undefined && index < newest) throw new InvalidStateError(`snapshot at ${index} is older than the stored snapshot at ${newest}`);
      const path = this.pathOf(index);
      const temp = `${path}.tmp`;
      const file = await this.fs.openAppend(temp, { truncate: true });
      try {
        await file.append(encodeSnapshot(index, payload));
        await file.sync();
      } finally {
        await file.close();
      }
      await this.fs.rename(temp, path);
      await this.fs.syncDir(this.dir);
      const stale = (await this.list()).slice(this.keepOlder + 1);
      for (const old of stale) await this.fs.unlink(this.pathOf(old));
      if (stale.length > 0) await this.fs.syncDir(this.dir);
      return path;
    });
  }

  /**
   * Loads the newest snapshot whose checksum is valid, reporting newer ones that were not.
   * Throws {@link CorruptionError} when snapshot files exist but none is valid.
   */
  async loadLatest(): Promise<LoadedSnapshot> {
    const skipped: SkippedSnapshot[] = [];
    for (const index of await this.list()) {
      const file = this.pathOf(index);
      const bytes = await this.fs.readFile(file);
      const problem = checkSnapshot(bytes, index);
      if (problem === null) return { snapshot: { index, payload: bytes.subarray(HEADER), file }, skipped };
      skipped.push({ file, reason: problem });
    }
    if (skipped.length > 0) {
      throw new CorruptionError(`snapshot store ${this.dir}: no valid snapshot (${skipped.map((s) => `${s.file}: ${s.reason}`).join('; ')})`);
    }
    return { snapshot: null, skipped };
  }

  private pathOf(index: number): string {
    return joinPath(this.dir, `snapshot-${String(index).padStart(20, '0')}.snap`);
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.tail.then(op);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

function encodeSnapshot(index: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(12, payload.length, true);
  view.setUint32(16, index >>> 0, true);
  view.setUint32(20, Math.floor(index / 0x100000000), true);
  out.set(payload, HEADER);
  view.setUint32(8, crc32c(out, 0, 12), true);
  return out;
}

/** `null` when `bytes` is a valid snapshot at `index`, else the reason it is not. */
function checkSnapshot(bytes: Uint8Array, index: number): string | null {
  if (bytes.length < HEADER) return `too short (${bytes.length} bytes)`;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return 'bad magic';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(12, true);
  if (length !== bytes.length - HEADER) return `length ${length} does not match the file (${bytes.length - HEADER} payload bytes)`;
  const stored = view.getUint32(8, true);
  if (stored !== crc32c(bytes, 0, 12)) return 'checksum mismatch';
  const stamped = view.getUint32(20, true) * 0x100000000 + view.getUint32(16, true);
  if (stamped !== index) return `holds index ${stamped}, not ${index}`;
  return null;
}
