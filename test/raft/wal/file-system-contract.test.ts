import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { joinPath, type FileSystem } from '../../../src/raft/wal/index.js';
import { fileSystems, type FsFixture } from './harness.js';

const bytes = (...b: number[]) => new Uint8Array(b);

describe.each(fileSystems)('FileSystem contract: %s', (_name, make) => {
  let fx: FsFixture;
  let fs: FileSystem;
  let dir: string;
  beforeEach(async () => {
    fx = await make();
    fs = fx.fs;
    dir = fx.dir;
    await fs.mkdirp(joinPath(dir, 'nested'));
  });
  afterEach(() => fx.cleanup());

  it('mkdirp creates parents and is idempotent', async () => {
    expect(await fs.exists(dir)).toBe(true);
    expect(await fs.exists(joinPath(dir, 'nested'))).toBe(true);
    await fs.mkdirp(joinPath(dir, 'nested'));
    expect(await fs.readdir(dir)).toEqual(['nested']);
  });

  it('appends accumulate at the end and read back whole', async () => {
    const p = joinPath(dir, 'a');
    const f = await fs.openAppend(p);
    await f.append(bytes(1, 2));
    await f.append(bytes(3));
    await f.sync();
    await f.close();
    const g = await fs.openAppend(p);
    await g.append(bytes(4));
    await g.close();
    expect([...(await fs.readFile(p))]).toEqual([1, 2, 3, 4]);
    expect(await fs.size(p)).toBe(4);
  });

  it('openAppend with truncate empties an existing file', async () => {
    const p = joinPath(dir, 'a');
    const f = await fs.openAppend(p);
    await f.append(bytes(1, 2, 3));
    await f.close();
    const g = await fs.openAppend(p, { truncate: true });
    await g.append(bytes(9));
    await g.close();
    expect([...(await fs.readFile(p))]).toEqual([9]);
  });

  it('truncate cuts a file and never extends it', async () => {
    const p = joinPath(dir, 'a');
    const f = await fs.openAppend(p);
    await f.append(bytes(1, 2, 3, 4, 5));
    await f.close();
    await fs.truncate(p, 2);
    expect([...(await fs.readFile(p))]).toEqual([1, 2]);
    await fs.truncate(p, 10);
    expect(await fs.size(p)).toBe(2);
    await fs.syncFile(p);
  });

  it('rename replaces the target; unlink removes; readdir is sorted', async () => {
    for (const [name, b] of [['b', 2], ['a', 1], ['c', 3]] as const) {
      const f = await fs.openAppend(joinPath(dir, name));
      await f.append(bytes(b));
      await f.close();
    }
    expect(await fs.readdir(dir)).toEqual(['a', 'b', 'c', 'nested']);
    await fs.rename(joinPath(dir, 'a'), joinPath(dir, 'c'));
    await fs.unlink(joinPath(dir, 'b'));
    await fs.syncDir(dir);
    expect(await fs.readdir(dir)).toEqual(['c', 'nested']);
    expect([...(await fs.readFile(joinPath(dir, 'c')))]).toEqual([1]);
    expect(await fs.exists(joinPath(dir, 'a'))).toBe(false);
  });

  it('missing paths reject with ENOENT', async () => {
    const missing = joinPath(dir, 'missing');
    await expect(fs.readFile(missing)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.size(missing)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.unlink(missing)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.rename(missing, joinPath(dir, 'x'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.readdir(joinPath(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fs.openAppend(joinPath(dir, 'nope', 'f'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
