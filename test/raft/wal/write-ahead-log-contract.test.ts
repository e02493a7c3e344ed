import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptionError, InvalidStateError } from '../../../src/errors/index.js';
import { WriteAheadLog, type FileSystem } from '../../../src/raft/wal/index.js';
import { GatedFileSystem, fileSystems, flipBit, makeRecords, overwrite, plain, segmentPaths, type FsFixture } from './harness.js';

const HEADER = 20;

describe.each(fileSystems)('WriteAheadLog contract: %s', (_name, make) => {
  let fx: FsFixture;
  let fs: FileSystem;
  let dir: string;
  beforeEach(async () => {
    fx = await make();
    fs = fx.fs;
    dir = fx.dir;
  });
  afterEach(() => fx.cleanup());

  const reopen = (options = {}) => WriteAheadLog.open(fs, dir, options);

  it('round-trips many records across segment rolls', async () => {
    const { wal, records: none } = await reopen({ segmentBytes: 2048 });
    expect(none).toEqual([]);
    const written = makeRecords(1, 500);
    for (let i = 0; i < written.length; i += 37) {
      wal.append(written.slice(i, i + 37));
      await wal.sync();
    }
    expect(wal.stats.records).toBe(500);
    await wal.close();
    const segments = await segmentPaths(fs, dir);
    expect(segments.length).toBeGreaterThan(10);
    for (const s of segments) expect(await fs.size(s)).toBeLessThanOrEqual(2048);
    const again = await reopen({ segmentBytes: 2048 });
    expect(plain(again.records)).toEqual(plain(written));
    expect([again.firstIndex, again.lastIndex, again.tornTail]).toEqual([1, 500, null]);
    again.wal.append(makeRecords(501, 1));
    await again.wal.close();
    expect((await reopen()).lastIndex).toBe(501);
  });

  it('group commit: 1000 appends then one sync issue exactly one fsync', async () => {
    const { wal } = await reopen();
    const before = wal.stats.fsyncs;
    for (const r of makeRecords(1, 1000)) wal.append([r]);
    await wal.sync();
    expect(wal.stats.fsyncs - before).toBe(1);
    expect(wal.stats.syncs).toBe(1);
    await wal.sync(); // nothing new: no fsync
    expect(wal.stats.fsyncs - before).toBe(1);
    await wal.close();
    expect((await reopen()).records).toHaveLength(1000);
  });

  it('sync() calls made before the write starts share one fsync', async () => {
    const { wal } = await reopen();
    const before = wal.stats.fsyncs;
    wal.append(makeRecords(1, 10));
    const first = wal.sync();
    wal.append(makeRecords(11, 10)); // not yet taken: rides along with the same fsync
    const second = wal.sync();
    const third = wal.sync();
    expect(second).toBe(first);
    expect(third).toBe(first);
    await Promise.all([first, second, third]);
    expect(wal.stats.fsyncs - before).toBe(1);
    await wal.close();
    expect((await reopen()).lastIndex).toBe(20);
  });

  it('concurrent sync() calls share the in-flight fsync; later appends share the next one', async () => {
    const gated = new GatedFileSystem(fs);
    const { wal } = await WriteAheadLog.open(gated, dir);
    const before = wal.stats.fsyncs;
    wal.append(makeRecords(1, 10));
    gated.hold();
    const entered = gated.whenEntered();
    const first = wal.sync();
    await entered; // the fsync is in flight now
    const second = wal.sync(); // nothing new: shares it
    expect(second).toBe(first);
    wal.append(makeRecords(11, 10));
    const third = wal.sync();
    const fourth = wal.sync();
    expect(third).not.toBe(first);
    expect(fourth).toBe(third);
    let firstDone = false;
    void first.then(() => (firstDone = true));
    gated.release();
    await first;
    expect(firstDone).toBe(true);
    await Promise.all([second, third, fourth]);
    expect(wal.stats.fsyncs - before).toBe(2);
    await wal.close();
    expect((await reopen()).lastIndex).toBe(20);
  });

  it('rejects appends out of sequence, all or nothing', async () => {
    const { wal } = await reopen();
    wal.append(makeRecords(1, 3));
    expect(() => wal.append([...makeRecords(4, 2), ...makeRecords(7, 1)])).toThrow(InvalidStateError);
    expect(wal.lastIndex).toBe(3);
    await wal.close();
    expect((await reopen()).lastIndex).toBe(3);
  });

  it('truncateAfter then append replaces the suffix, also after reopening', async () => {
    const { wal } = await reopen({ segmentBytes: 1024 });
    wal.append(makeRecords(1, 40));
    await wal.sync();
    wal.truncateAfter(25);
    expect(wal.lastIndex).toBe(25);
    const replacement = makeRecords(26, 5, 3);
    wal.append(replacement);
    await wal.close();
    const { records, wal: again } = await reopen({ segmentBytes: 1024 });
    expect(plain(records)).toEqual(plain([...makeRecords(1, 25), ...replacement]));
    again.truncateAfter(0);
    again.append(makeRecords(1, 2, 9));
    await again.close();
    expect(plain((await reopen()).records)).toEqual(plain(makeRecords(1, 2, 9)));
  });

  it('reset discards everything and restarts at a new index', async () => {
    const { wal } = await reopen();
    wal.append(makeRecords(1, 5));
    wal.reset(100);
    wal.append(makeRecords(100, 2));
    await wal.close();
    const again = await reopen();
    expect([again.firstIndex, again.lastIndex]).toEqual([100, 101]);
    expect(plain(again.records)).toEqual(plain(makeRecords(100, 2)));
  });

  it('releaseBefore removes whole segments below the index and keeps everything at or above it', async () => {
    const { wal } = await reopen({ segmentBytes: 1024 });
    wal.append(makeRecords(1, 200));
    await wal.sync();
    const before = await segmentPaths(fs, dir);
    const removed = await wal.releaseBefore(120);
    const after = await segmentPaths(fs, dir);
    expect(removed).toBeGreaterThan(0);
    expect(after).toEqual(before.slice(removed));
    await wal.close();
    const again = await reopen({ segmentBytes: 1024 });
    expect(again.firstIndex).toBeLessThanOrEqual(120);
    expect(again.firstIndex).toBeGreaterThan(1);
    expect(plain(again.records)).toEqual(plain(makeRecords(again.firstIndex, 201 - again.firstIndex)));
    expect(await again.wal.releaseBefore(1_000_000)).toBe(after.length - 1); // never the last one
    await again.wal.close();
  });

  it('a torn last record, cut at every byte offset, is dropped and every earlier record kept', async () => {
    const { wal } = await reopen();
    const written = makeRecords(1, 6);
    wal.append(written);
    await wal.close();
    const [segment] = await segmentPaths(fs, dir);
    const full = await fs.readFile(segment as string);
    const lastLength = HEADER + (written[5] as { payload: Uint8Array }).payload.length;
    const lastStart = full.length - lastLength;
    for (let cut = lastStart; cut < full.length; cut++) {
      await overwrite(fs, segment as string, full.subarray(0, cut));
      const again = await reopen();
      expect(plain(again.records), `cut at ${cut}`).toEqual(plain(written.slice(0, 5)));
      expect(again.tornTail?.droppedBytes ?? 0, `cut at ${cut}`).toBe(cut - lastStart);
      expect(await fs.size(segment as string)).toBe(lastStart);
      await again.wal.close();
    }
  });

  it('a zero-filled preallocated tail counts as a torn tail', async () => {
    const { wal } = await reopen();
    wal.append(makeRecords(1, 3));
    await wal.close();
    const [segment] = await segmentPaths(fs, dir);
    const full = await fs.readFile(segment as string);
    const padded = new Uint8Array(full.length + 4096);
    padded.set(full);
    await overwrite(fs, segment as string, padded);
    const again = await reopen();
    expect(again.records).toHaveLength(3);
    expect(again.tornTail).toMatchObject({ file: segment, offset: full.length, droppedBytes: 4096 });
    again.wal.append(makeRecords(4, 1));
    await again.wal.close();
    expect((await reopen()).lastIndex).toBe(4);
  });

  it('a flipped bit anywhere before the last record is a CorruptionError naming file and offset', async () => {
    const { wal } = await reopen();
    wal.append(makeRecords(1, 8, 24));
    await wal.close();
    const [segment] = await segmentPaths(fs, dir);
    const pristine = await fs.readFile(segment as string);
    const lastStart = pristine.length - (HEADER + 24);
    for (let offset = 0; offset < lastStart; offset += 7) {
      await overwrite(fs, segment as string, pristine);
      await flipBit(fs, segment as string, offset, offset % 8);
      const recordStart = offset - (offset % (HEADER + 24));
      const error = await reopen().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, `flip at ${offset}`).toBeInstanceOf(CorruptionError);
      expect((error as Error).message).toContain(segment);
      expect((error as Error).message).toContain(`offset ${recordStart}`);
    }
  });

  it('damage in the last record is reported as a torn tail, never silently', async () => {
    const { wal } = await reopen();
    wal.append(makeRecords(1, 3, 10));
    await wal.close();
    const [segment] = await segmentPaths(fs, dir);
    await flipBit(fs, segment as string, 2 * (HEADER + 10) + HEADER + 4);
    const again = await reopen();
    expect(again.lastIndex).toBe(2);
    expect(again.tornTail).toMatchObject({ offset: 2 * (HEADER + 10), droppedBytes: HEADER + 10 });
    expect(again.tornTail?.reason).toMatch(/checksum/);
    await again.wal.close();
  });

  it('damage in a segment that is not the last is a CorruptionError, even at its tail', async () => {
    const { wal } = await reopen({ segmentBytes: 512 });
    wal.append(makeRecords(1, 60, 30));
    await wal.close();
    const segments = await segmentPaths(fs, dir);
    expect(segments.length).toBeGreaterThan(2);
    const victim = segments[1] as string;
    const size = await fs.size(victim);
    await overwrite(fs, victim, (await fs.readFile(victim)).subarray(0, size - 3));
    await expect(reopen({ segmentBytes: 512 })).rejects.toThrow(CorruptionError);
  });

  it('a missing middle segment is a CorruptionError', async () => {
    const { wal } = await reopen({ segmentBytes: 512 });
    wal.append(makeRecords(1, 60, 30));
    await wal.close();
    const segments = await segmentPaths(fs, dir);
    await fs.unlink(segments[1] as string);
    await expect(reopen({ segmentBytes: 512 })).rejects.toThrow(/segment is missing/);
  });
});
