import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptionError, InvalidStateError } from '../../../src/errors/index.js';
import { SimulatedFileSystem, SnapshotStore, joinPath, type FileSystem } from '../../../src/raft/wal/index.js';
import { fileSystems, flipBit, type FsFixture } from './harness.js';

const text = (s: string) => new TextEncoder().encode(s);
const read = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

describe.each(fileSystems)('SnapshotStore contract: %s', (_name, make) => {
  let fx: FsFixture;
  let fs: FileSystem;
  let dir: string;
  beforeEach(async () => {
    fx = await make();
    fs = fx.fs;
    dir = fx.dir;
  });
  afterEach(() => fx.cleanup());

  it('an empty store loads nothing', async () => {
    const store = await SnapshotStore.open(fs, dir);
    expect(await store.loadLatest()).toEqual({ snapshot: null, skipped: [] });
  });

  it('loads the newest snapshot and keeps only the newest plus keepOlder', async () => {
    const store = await SnapshotStore.open(fs, dir);
    for (const i of [10, 20, 30]) await store.save(i, text(`state@${i}`));
    expect(await store.list()).toEqual([30, 20]);
    const { snapshot, skipped } = await store.loadLatest();
    expect([snapshot?.index, read(snapshot?.payload), skipped]).toEqual([30, 'state@30', []]);
    await expect(store.save(5, text('old'))).rejects.toThrow(InvalidStateError);
    const two = await SnapshotStore.open(fs, joinPath(dir, 'two'), { keepOlder: 2 });
    for (const i of [1, 2, 3, 4]) await two.save(i, text(`${i}`));
    expect(await two.list()).toEqual([4, 3, 2]);
  });

  it('a corrupt newest snapshot falls back to the previous one and reports it', async () => {
    const store = await SnapshotStore.open(fs, dir);
    await store.save(10, text('ten'));
    const newest = await store.save(20, text('twenty'));
    await flipBit(fs, newest, 26);
    const { snapshot, skipped } = await store.loadLatest();
    expect([snapshot?.index, read(snapshot?.payload)]).toEqual([10, 'ten']);
    expect(skipped).toEqual([{ file: newest, reason: 'checksum mismatch' }]);
  });

  it('when every snapshot is corrupt, loading is a CorruptionError, not an empty start', async () => {
    const store = await SnapshotStore.open(fs, dir);
    const only = await store.save(10, text('ten'));
    await flipBit(fs, only, 3);
    await expect(store.loadLatest()).rejects.toThrow(CorruptionError);
  });
});

/** Fails the rename, as a crash between writing the temporary file and renaming it would. */
class NoRenameFileSystem extends SimulatedFileSystem {
  renameFails = false;
  override async rename(from: string, to: string): Promise<void> {
    if (this.renameFails) {
      await this.syncDir('/snap'); // the temporary file's entry reached the disk
      this.crash();
      throw new Error('power lost before rename');
    }
    return super.rename(from, to);
  }
}

describe('SnapshotStore atomicity on SimulatedFileSystem', () => {
  it('a crash between writing and renaming leaves the old snapshot loadable, and the leftover is cleaned', async () => {
    const sim = new NoRenameFileSystem();
    const store = await SnapshotStore.open(sim, '/snap');
    await store.save(10, text('ten'));
    sim.renameFails = true;
    await expect(store.save(20, text('twenty'))).rejects.toThrow(/power lost/);
    sim.renameFails = false;
    expect((await sim.readdir('/snap')).filter((n) => n.endsWith('.tmp'))).toHaveLength(1);
    const reopened = await SnapshotStore.open(sim, '/snap');
    const { snapshot } = await reopened.loadLatest();
    expect([snapshot?.index, read(snapshot?.payload)]).toEqual([10, 'ten']);
    expect((await sim.readdir('/snap')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a crash right after save returns keeps the new snapshot', async () => {
    const sim = new SimulatedFileSystem();
    const store = await SnapshotStore.open(sim, '/snap');
    await store.save(10, text('ten'));
    await store.save(20, text('twenty'));
    sim.crash();
    const { snapshot } = await (await SnapshotStore.open(sim, '/snap')).loadLatest();
    expect([snapshot?.index, read(snapshot?.payload)]).toEqual([20, 'twenty']);
  });
});
