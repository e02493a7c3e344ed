import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/runtime/index.js';
import { SimulatedFileSystem } from '../../../src/raft/wal/index.js';

const bytes = (...b: number[]) => new Uint8Array(b);

async function writeFile(fs: SimulatedFileSystem, path: string, data: Uint8Array, sync: boolean) {
  const f = await fs.openAppend(path);
  await f.append(data);
  if (sync) await f.sync();
  await f.close();
}

describe('SimulatedFileSystem durability', () => {
  it('a crash drops bytes appended after the last fsync and keeps the synced ones', async () => {
    const fs = new SimulatedFileSystem();
    await fs.mkdirp('/d');
    await writeFile(fs, '/d/f', bytes(1, 2), true);
    await fs.syncDir('/d');
    await writeFile(fs, '/d/f', bytes(3, 4), false);
    fs.crash();
    expect([...(await fs.readFile('/d/f'))]).toEqual([1, 2]);
  });

  it('a created file whose directory was never synced vanishes, even if the file was', async () => {
    const fs = new SimulatedFileSystem();
    await fs.mkdirp('/d');
    await writeFile(fs, '/d/f', bytes(1), true);
    fs.crash();
    expect(await fs.exists('/d/f')).toBe(false);
  });

  it('renames and unlinks are undone by a crash unless the directory was synced', async () => {
    const fs = new SimulatedFileSystem();
    await fs.mkdirp('/d');
    await writeFile(fs, '/d/a', bytes(1), true);
    await writeFile(fs, '/d/b', bytes(2), true);
    await fs.syncDir('/d');
    await fs.rename('/d/a', '/d/c');
    await fs.unlink('/d/b');
    fs.crash();
    expect(await fs.readdir('/d')).toEqual(['a', 'b']);
    await fs.rename('/d/a', '/d/c');
    await fs.syncDir('/d');
    fs.crash();
    expect(await fs.readdir('/d')).toEqual(['b', 'c']);
  });

  it('an unsynced truncation is undone by an exact crash', async () => {
    const fs = new SimulatedFileSystem();
    await fs.mkdirp('/d');
    await writeFile(fs, '/d/f', bytes(1, 2, 3), true);
    await fs.syncDir('/d');
    await fs.truncate('/d/f', 1);
    await writeFile(fs, '/d/f', bytes(9), false);
    fs.crash();
    expect([...(await fs.readFile('/d/f'))]).toEqual([1, 2, 3]);
  });

  it('handles opened before a crash are dead after it', async () => {
    const fs = new SimulatedFileSystem();
    await fs.mkdirp('/d');
    const f = await fs.openAppend('/d/f');
    fs.crash();
    await expect(f.append(bytes(1))).rejects.toMatchObject({ code: 'EBADF' });
  });

  it('with faults, a crash keeps every synced byte and only a prefix (maybe zero-filled) of the rest', async () => {
    for (let seed = 0; seed < 200; seed++) {
      const fs = new SimulatedFileSystem({ random: Random.fromSeed(seed), keepUnsyncedChance: 0.7, zeroFillChance: 0.5 });
      await fs.mkdirp('/d');
      const synced = Random.fromSeed(`s${seed}`).bytes(50);
      const unsynced = Random.fromSeed(`u${seed}`).bytes(50);
      await writeFile(fs, '/d/f', synced, true);
      await fs.syncDir('/d');
      await writeFile(fs, '/d/f', unsynced, false);
      fs.crash();
      const after = await fs.readFile('/d/f');
      expect(after.length, `seed ${seed}`).toBeGreaterThanOrEqual(50);
      expect(after.length, `seed ${seed}`).toBeLessThanOrEqual(100);
      expect([...after.subarray(0, 50)], `seed ${seed}`).toEqual([...synced]);
      const tail = after.subarray(50);
      let kept = 0;
      while (kept < tail.length && tail[kept] === unsynced[kept]) kept++;
      expect(tail.subarray(kept).every((b) => b === 0), `seed ${seed}: after the kept prefix only zeros`).toBe(true);
    }
  });

  it('corrupt flips a bit durably; truncateTo cuts durably; snapshotFiles copies contents', async () => {
    const fs = new SimulatedFileSystem();
    await fs.mkdirp('/d');
    await writeFile(fs, '/d/f', bytes(0, 0, 0), true);
    await fs.syncDir('/d');
    fs.corrupt('/d/f', 1, 3);
    fs.truncateTo('/d/f', 2);
    fs.crash();
    expect([...(await fs.readFile('/d/f'))]).toEqual([0, 8]);
    const snap = fs.snapshotFiles();
    expect([...(snap.get('/d/f') ?? [])]).toEqual([0, 8]);
    expect(fs.stats.fileSyncs).toBe(1);
    expect(fs.stats.dirSyncs).toBe(1);
  });
});
