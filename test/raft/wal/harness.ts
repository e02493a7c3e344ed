import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NodeFileSystem, SimulatedFileSystem, joinPath, type FileSystem, type WritableFile } from '../../../src/raft/wal/index.js';

/** A file system under test plus a fresh directory in it. */
export interface FsFixture {
  readonly fs: FileSystem;
  /** A directory that does not exist yet, under a root that does. */
  readonly dir: string;
  /** Removes whatever the test left on disk. */
  cleanup(): Promise<void>;
}

/** One factory per FileSystem implementation: contract suites run against each. */
export const fileSystems: ReadonlyArray<readonly [string, () => Promise<FsFixture>]> = [
  ['SimulatedFileSystem', async () => ({ fs: new SimulatedFileSystem(), dir: '/data/wal', cleanup: async () => undefined })],
  [
    'NodeFileSystem',
    async () => {
      const root = await mkdtemp(path.join(tmpdir(), 'flotilla-wal-'));
      return { fs: new NodeFileSystem(), dir: joinPath(root, 'wal'), cleanup: () => rm(root, { recursive: true, force: true }) };
    },
  ],
];

/** Deterministic payload for `index`, varying in length so records straddle boundaries. */
export function payloadFor(index: number, size = 1 + ((index * 37) % 200)): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (index * 31 + i * 7) & 0xff;
  return out;
}

/** `count` records from `first`, with types cycling through 0..3. */
export function makeRecords(first: number, count: number, size?: number): { index: number; type: number; payload: Uint8Array }[] {
  return Array.from({ length: count }, (_, i) => ({ index: first + i, type: (first + i) % 4, payload: payloadFor(first + i, size) }));
}

/** Paths of the segment files in `dir`, in sequence order. */
export async function segmentPaths(fs: FileSystem, dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((n) => n.endsWith('.wal')).map((n) => joinPath(dir, n));
}

/** Rewrites `file` durably with `bytes` (works on every FileSystem). */
export async function overwrite(fs: FileSystem, file: string, bytes: Uint8Array): Promise<void> {
  const f = await fs.openAppend(file, { truncate: true });
  await f.append(bytes);
  await f.sync();
  await f.close();
}

/** Flips one bit of `file` at `offset`, durably, on any FileSystem. */
export async function flipBit(fs: FileSystem, file: string, offset: number, bit = 0): Promise<void> {
  const bytes = (await fs.readFile(file)).slice();
  bytes[offset] = (bytes[offset] as number) ^ (1 << bit);
  await overwrite(fs, file, bytes);
}

/** Index/type/payload of records, comparable with toEqual. */
export function plain(records: ReadonlyArray<{ index: number; type: number; payload: Uint8Array }>): { index: number; type: number; payload: number[] }[] {
  return records.map((r) => ({ index: r.index, type: r.type, payload: [...r.payload] }));
}

/**
 * Wraps a FileSystem so that file fsyncs wait at a gate the test opens: lets a test hold a sync
 * in flight and act while it is.
 */
export class GatedFileSystem implements FileSystem {
  /** Fsyncs that reached the gate. */
  entered = 0;
  private gate: Promise<void> | null = null;
  private openGate: () => void = () => undefined;
  private onEnter: (() => void) | null = null;

  constructor(private readonly inner: FileSystem) {}

  /** Makes later fsyncs wait until `release()`. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.gate = null;
    this.openGate();
  }

  /** Resolves when an fsync reaches the gate. */
  whenEntered(): Promise<void> {
    return new Promise((resolve) => (this.onEnter = resolve));
  }

  mkdirp = (d: string) => this.inner.mkdirp(d);
  readdir = (d: string) => this.inner.readdir(d);
  exists = (p: string) => this.inner.exists(p);
  size = (p: string) => this.inner.size(p);
  readFile = (p: string) => this.inner.readFile(p);
  truncate = (p: string, n: number) => this.inner.truncate(p, n);
  syncFile = (p: string) => this.inner.syncFile(p);
  rename = (a: string, b: string) => this.inner.rename(a, b);
  unlink = (p: string) => this.inner.unlink(p);
  syncDir = (d: string) => this.inner.syncDir(d);

  async openAppend(path: string, options?: { truncate?: boolean }): Promise<WritableFile> {
    const file = await this.inner.openAppend(path, options);
    return {
      path,
      append: (data) => file.append(data),
      close: () => file.close(),
      sync: async () => {
        this.entered++;
        this.onEnter?.();
        if (this.gate !== null) await this.gate;
        await file.sync();
      },
    };
  }
}
