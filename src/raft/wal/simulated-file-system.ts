import type { Random } from '../../runtime/index.js';
import { dirnameOf, fsError, type FileSystem, type OpenAppendOptions, type WritableFile } from './file-system.js';

/**
 * Options of {@link SimulatedFileSystem}. Without a `random`, a crash is exact: every byte and
 * directory change not yet synced is lost, nothing else. With one, a crash may keep part of
 * what was not synced, within the bounds real disks show.
 *
 * @public
 */
export interface SimulatedFileSystemOptions {
  /** Source of crash outcomes; inject a seeded one to replay a run. */
  readonly random?: Random;
  /** Chance that a crash keeps a random prefix of a file's unsynced bytes (default 0.5). */
  readonly keepUnsyncedChance?: number;
  /**
   * Chance that a crash leaves zeros after the kept prefix, up to a random point within the
   * unsynced region: the file's size reached the disk but its data did not (default 0.25).
   */
  readonly zeroFillChance?: number;
  /** Chance that a crash keeps a random prefix of a directory's unsynced changes (default 0.5). */
  readonly keepDirChangesChance?: number;
}

/**
 * Counters of a {@link SimulatedFileSystem}.
 *
 * @public
 */
export interface SimulatedFileSystemStats {
  /** File fsyncs (`WritableFile.sync` and `syncFile`). */
  readonly fileSyncs: number;
  /** Directory fsyncs. */
  readonly dirSyncs: number;
  /** Bytes appended. */
  readonly bytesWritten: number;
  /** Crashes simulated. */
  readonly crashes: number;
}

/** A file's contents: current bytes, and the bytes as of its last fsync. */
class Inode {
  buf: Uint8Array = new Uint8Array(64);
  len = 0;
  durableLen = 0;
  /** Non-null when the current bytes no longer extend the durable ones (truncated below them). */
  durableCopy: Uint8Array | null = null;

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  append(data: Uint8Array): void {
    if (this.len + data.length > this.buf.length) {
      let cap = this.buf.length;
      while (cap < this.len + data.length) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  truncate(size: number): void {
    if (size >= this.len) return;
    if (this.durableCopy === null && size < this.durableLen) this.durableCopy = this.buf.slice(0, this.durableLen);
    this.len = size;
  }

  sync(): void {
    this.durableCopy = null;
    this.durableLen = this.len;
  }

  /** Replaces the contents by what survives a power loss. */
  crash(faults: Faults | null): void {
    let keep: number;
    let zeros = 0;
    if (this.durableCopy === null) {
      const unsynced = this.len - this.durableLen;
      keep = this.durableLen;
      if (faults !== null && unsynced > 0) {
        if (faults.random.chance(faults.keepUnsynced)) keep += faults.random.int(unsynced + 1);
        if (faults.random.chance(faults.zeroFill)) zeros = faults.random.int(this.len - keep + 1);
      }
    } else if (faults !== null && faults.random.chance(faults.keepUnsynced)) {
      const durable = this.durableCopy;
      let common = 0;
      while (common < durable.length && common < this.len && durable[common] === this.buf[common]) common++;
      keep = common + faults.random.int(this.len - common + 1);
    } else {
      this.buf = this.durableCopy;
      keep = this.buf.length;
    }
    this.buf.fill(0, keep, keep + zeros);
    this.len = keep + zeros;
    this.durableCopy = null;
    this.durableLen = this.len;
    if (this.buf.length === 0) this.buf = new Uint8Array(64);
  }
}

interface Faults {
  readonly random: Random;
  readonly keepUnsynced: number;
  readonly zeroFill: number;
  readonly keepDirChanges: number;
}

type Entry = { readonly kind: 'file'; readonly inode: Inode } | { readonly kind: 'dir' };

/** One directory change, applied atomically on sync or (a prefix of them) on crash. */
interface DirChange {
  readonly set?: readonly [string, Entry];
  readonly remove?: string;
}

class Dir {
  readonly live = new Map<string, Entry>();
  readonly durable = new Map<string, Entry>();
  pending: DirChange[] = [];

  change(change: DirChange): void {
    apply(this.live, change);
    this.pending.push(change);
  }

  sync(): void {
    for (const change of this.pending) apply(this.durable, change);
    this.pending = [];
  }

  crash(faults: Faults | null): void {
    let keep = 0;
    if (faults !== null && this.pending.length > 0 && faults.random.chance(faults.keepDirChanges)) {
      keep = faults.random.int(this.pending.length + 1);
    }
    this.pending = this.pending.slice(0, keep);
    this.sync();
    this.live.clear();
    for (const [name, entry] of this.durable) this.live.set(name, entry);
  }
}

function apply(map: Map<string, Entry>, change: DirChange): void {
  if (change.remove !== undefined) map.delete(change.remove);
  if (change.set !== undefined) map.set(change.set[0], change.set[1]);
}

/**
 * An in-memory {@link FileSystem} that models durability the way FoundationDB's
 * AsyncFileNonDurable does: every file has durable bytes (as of its last fsync) and volatile
 * bytes, every directory has durable entries (as of its last fsync) and pending changes, and
 * {@link SimulatedFileSystem.crash} throws away what was not synced.
 *
 * Faults are bounded to what the log claims to survive: a crash never touches synced bytes or
 * synced directory entries. With an injected {@link Random}, it may keep a prefix of unsynced
 * bytes (tearing the last write anywhere, even mid-record), leave zeros where the size reached
 * the disk but the data did not, and keep a prefix of unsynced directory changes (journals commit
 * metadata in order). Damage to synced data is injected explicitly with
 * {@link SimulatedFileSystem.corrupt} and {@link SimulatedFileSystem.truncateTo}.
 *
 * @example
 * ```ts
 * const fs = new SimulatedFileSystem({ random: Random.fromSeed(7) });
 * const f = await fs.openAppend('/d/a');
 * await f.append(bytes); // not synced
 * fs.crash();            // '/d/a' is gone: its directory entry was never synced
 * ```
 * @public
 */
export class SimulatedFileSystem implements FileSystem {
  private readonly dirs = new Map<string, Dir>([['/', new Dir()]]);
  private readonly faults: Faults | null;
  private epoch = 0;
  private counters = { fileSyncs: 0, dirSyncs: 0, bytesWritten: 0, crashes: 0 };

  constructor(options: SimulatedFileSystemOptions = {}) {
    this.faults =
      options.random === undefined
        ? null
        : {
            random: options.random,
            keepUnsynced: options.keepUnsyncedChance ?? 0.5,
            zeroFill: options.zeroFillChance ?? 0.25,
            keepDirChanges: options.keepDirChangesChance ?? 0.5,
          };
  }

  /** Counters since construction. */
  get stats(): SimulatedFileSystemStats {
    return { ...this.counters };
  }

  async mkdirp(dir: string): Promise<void> {
    const path = normalize(dir);
    if (this.dirs.has(path)) return;
    await this.mkdirp(dirnameOf(path));
    const parent = this.dir(dirnameOf(path), 'mkdir');
    const existing = parent.live.get(basename(path));
    if (existing !== undefined) throw fsError('ENOTDIR', 'mkdir', path);
    const entry: Entry = { kind: 'dir' };
    parent.live.set(basename(path), entry);
    parent.durable.set(basename(path), entry);
    this.dirs.set(path, new Dir());
  }

  async readdir(dir: string): Promise<string[]> {
    return [...this.dir(normalize(dir), 'scandir').live.keys()].sort();
  }

  async exists(path: string): Promise<boolean> {
    const p = normalize(path);
    if (this.dirs.has(p)) return true;
    return this.dirs.get(dirnameOf(p))?.live.has(basename(p)) ?? false;
  }

  async size(path: string): Promise<number> {
    return this.inode(path, 'stat').len;
  }

  async readFile(path: string): Promise<Uint8Array> {
    return this.inode(path, 'open').bytes().slice();
  }

  async openAppend(path: string, options?: OpenAppendOptions): Promise<WritableFile> {
    const p = normalize(path);
    const parent = this.dir(dirnameOf(p), 'open');
    let entry = parent.live.get(basename(p));
    if (entry === undefined) {
      entry = { kind: 'file', inode: new Inode() };
      parent.change({ set: [basename(p), entry] });
    }
    if (entry.kind !== 'file') throw fsError('EISDIR', 'open', p);
    if (options?.truncate === true) entry.inode.truncate(0);
    return new SimulatedWritableFile(this, path, entry.inode, this.epoch);
  }

  async truncate(path: string, size: number): Promise<void> {
    this.inode(path, 'truncate').truncate(size);
  }

  async syncFile(path: string): Promise<void> {
    this.inode(path, 'fsync').sync();
    this.counters.fileSyncs++;
  }

  async rename(from: string, to: string): Promise<void> {
    const f = normalize(from);
    const t = normalize(to);
    const source = this.dir(dirnameOf(f), 'rename');
    const entry = source.live.get(basename(f));
    if (entry === undefined) throw fsError('ENOENT', 'rename', f);
    if (entry.kind !== 'file') throw fsError('EISDIR', 'rename', f);
    const target = this.dir(dirnameOf(t), 'rename');
    if (target.live.get(basename(t))?.kind === 'dir') throw fsError('EISDIR', 'rename', t);
    if (f === t) return;
    if (source === target) {
      source.change({ remove: basename(f), set: [basename(t), entry] });
    } else {
      target.change({ set: [basename(t), entry] });
      source.change({ remove: basename(f) });
    }
  }

  async unlink(path: string): Promise<void> {
    const p = normalize(path);
    const parent = this.dir(dirnameOf(p), 'unlink');
    const entry = parent.live.get(basename(p));
    if (entry === undefined) throw fsError('ENOENT', 'unlink', p);
    if (entry.kind !== 'file') throw fsError('EISDIR', 'unlink', p);
    parent.change({ remove: basename(p) });
  }

  async syncDir(dir: string): Promise<void> {
    this.dir(normalize(dir), 'fsync').sync();
    this.counters.dirSyncs++;
  }

  /**
   * Simulates a power loss: unsynced directory changes and file bytes are lost (or, with an
   * injected Random, partly kept as described on the class), open handles become invalid.
   */
  crash(): void {
    this.epoch++;
    this.counters.crashes++;
    for (const dir of this.dirs.values()) dir.crash(this.faults);
    const seen = new Set<Inode>();
    for (const dir of this.dirs.values()) {
      for (const entry of dir.live.values()) {
        if (entry.kind === 'file' && !seen.has(entry.inode)) {
          seen.add(entry.inode);
          entry.inode.crash(this.faults);
        }
      }
    }
  }

  /** Flips bit `bit` (0-7) of the byte at `offset`, in both the current and the durable bytes. */
  corrupt(path: string, offset: number, bit = 0): void {
    const inode = this.inode(path, 'corrupt');
    if (offset < 0 || offset >= inode.len) throw new RangeError(`corrupt: offset ${offset} outside ${path} (${inode.len} bytes)`);
    const mask = 1 << (bit & 7);
    inode.buf[offset] = (inode.buf[offset] as number) ^ mask;
    const copy = inode.durableCopy;
    if (copy !== null && offset < copy.length) copy[offset] = (copy[offset] as number) ^ mask;
  }

  /** Cuts the file to `size` bytes, durably (as if the disk lost the rest). */
  truncateTo(path: string, size: number): void {
    const inode = this.inode(path, 'truncate');
    inode.truncate(size);
    inode.sync();
  }

  /** Copies of every file's current bytes, keyed by path. */
  snapshotFiles(): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const [dirPath, dir] of this.dirs) {
      for (const [name, entry] of dir.live) {
        if (entry.kind === 'file') out.set(dirPath === '/' ? `/${name}` : `${dirPath}/${name}`, entry.inode.bytes().slice());
      }
    }
    return out;
  }

  /** @internal */
  checkEpoch(epoch: number, path: string): void {
    if (epoch !== this.epoch) throw fsError('EBADF', 'write', path);
  }

  /** @internal */
  countSync(): void {
    this.counters.fileSyncs++;
  }

  /** @internal */
  countWrite(n: number): void {
    this.counters.bytesWritten += n;
  }

  private dir(path: string, syscall: string): Dir {
    const dir = this.dirs.get(path);
    if (dir === undefined || !this.isLive(path)) throw fsError('ENOENT', syscall, path);
    return dir;
  }

  private isLive(path: string): boolean {
    return path === '/' || this.dirs.get(dirnameOf(path))?.live.get(basename(path))?.kind === 'dir';
  }

  private inode(path: string, syscall: string): Inode {
    const p = normalize(path);
    const entry = this.dirs.get(dirnameOf(p))?.live.get(basename(p));
    if (entry === undefined) throw fsError('ENOENT', syscall, p);
    if (entry.kind !== 'file') throw fsError('EISDIR', syscall, p);
    return entry.inode;
  }
}

class SimulatedWritableFile implements WritableFile {
  readonly path: string;
  private closed = false;

  constructor(
    private readonly fs: SimulatedFileSystem,
    path: string,
    private readonly inode: Inode,
    private readonly epoch: number,
  ) {
    this.path = path;
  }

  async append(data: Uint8Array): Promise<void> {
    this.check();
    this.inode.append(data);
    this.fs.countWrite(data.length);
  }

  async sync(): Promise<void> {
    this.check();
    this.inode.sync();
    this.fs.countSync();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private check(): void {
    if (this.closed) throw fsError('EBADF', 'write', this.path);
    this.fs.checkEpoch(this.epoch, this.path);
  }
}

function normalize(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return `/${parts.join('/')}`;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
