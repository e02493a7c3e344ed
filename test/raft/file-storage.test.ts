import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileRaftStorage } from '../../src/raft/file-storage.js';
import type { Entry, HardState, RaftStorage, Snapshot } from '../../src/raft/index.js';
import { NodeFileSystem, SimulatedFileSystem, joinPath, type FileSystem } from '../../src/raft/wal/index.js';
import { raftStorageContract } from './storage-contract.js';

const DIR = '/node/raft';
const conf = { voters: ['a', 'b', 'c'], learners: ['d'] };

/** Deterministic entry data for (index, term), varying in length. */
function dataFor(index: number, term: number): Uint8Array {
  const out = new Uint8Array((index * 7 + term * 3) % 40);
  for (let i = 0; i < out.length; i++) out[i] = (index * 31 + term * 17 + i) & 0xff;
  return out;
}
const e = (index: number, term: number): Entry => ({ index, term, type: index % 5 === 0 ? 'confChange' : 'normal', data: dataFor(index, term) });
const range = (from: number, to: number, term: number): Entry[] => Array.from({ length: to - from + 1 }, (_, i) => e(from + i, term));

/** Everything a storage exposes, comparable with toEqual. */
function dump(s: RaftStorage): unknown {
  const first = s.firstIndex();
  const last = s.lastIndex();
  const snap = s.snapshot();
  return {
    initial: s.initialState(),
    first,
    last,
    prevTerm: s.term(first - 1),
    entries: s.entries(first, last + 1).map((x) => ({ ...x, data: [...x.data] })),
    snapshot: { metadata: snap.metadata, data: [...snap.data] },
  };
}

/** A copy of `sim`'s current files, all durable. */
async function cloneFs(sim: SimulatedFileSystem): Promise<SimulatedFileSystem> {
  const copy = new SimulatedFileSystem();
  const dirs = new Set<string>();
  for (const [file, bytes] of sim.snapshotFiles()) {
    const dir = file.slice(0, file.lastIndexOf('/'));
    await copy.mkdirp(dir);
    dirs.add(dir);
    const f = await copy.openAppend(file);
    await f.append(bytes);
    await f.sync();
    await f.close();
  }
  for (const dir of dirs) await copy.syncDir(dir);
  return copy;
}

async function walFiles(fs: FileSystem): Promise<string[]> {
  return (await fs.readdir(joinPath(DIR, 'wal'))).filter((n) => n.endsWith('.wal')).map((n) => joinPath(DIR, 'wal', n));
}

/** Wraps `sim` so that, once `armed`, the first fsync of a log segment crashes the disk. */
function crashingAtLogFsync(sim: SimulatedFileSystem): FileSystem & { armed: boolean } {
  const fs = Object.assign(Object.create(sim) as SimulatedFileSystem, {
    armed: false,
    openAppend: async (p: string, o?: { truncate?: boolean }) => {
      const f = await sim.openAppend(p, o);
      return {
        path: p,
        append: (b: Uint8Array) => f.append(b),
        close: () => f.close(),
        sync: async () => {
          if (fs.armed && p.endsWith('.wal')) {
            sim.crash();
            throw new Error('power loss');
          }
          await f.sync();
        },
      };
    },
  });
  return fs;
}

function contractOn(name: string, setup: () => Promise<{ fs: FileSystem; dir: string; cleanup: () => Promise<void> }>): void {
  describe(`FileRaftStorage on ${name}`, () => {
    let env: { fs: FileSystem; dir: string; cleanup: () => Promise<void> };
    let storage: FileRaftStorage;
    beforeEach(async () => {
      env = await setup();
      storage = await FileRaftStorage.open(env.fs, env.dir);
    });
    // Every contract test doubles as a persistence test: close, reopen, compare.
    afterEach(async () => {
      const before = dump(storage);
      await storage.close();
      const reopened = await FileRaftStorage.open(env.fs, env.dir);
      expect(dump(reopened)).toEqual(before);
      await reopened.close();
      await env.cleanup();
    });
    raftStorageContract(name, () => storage);
  });
}

contractOn('SimulatedFileSystem', async () => ({ fs: new SimulatedFileSystem(), dir: DIR, cleanup: async () => undefined }));
contractOn('NodeFileSystem', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'flotilla-raft-'));
  return { fs: new NodeFileSystem(), dir: joinPath(root, 'raft'), cleanup: () => rm(root, { recursive: true, force: true }) };
});

describe('FileRaftStorage persistence', () => {
  it('reopen after a clean close gives the same state: overwrites, hard states, snapshots, compaction', async () => {
    const sim = new SimulatedFileSystem();
    const s = await FileRaftStorage.open(sim, DIR, { segmentBytes: 600 });
    s.append(range(1, 10, 1));
    s.setHardState({ term: 1, vote: 'a', commit: 4 });
    s.append(range(6, 12, 2)); // overwrite with a hard state after the cut: no truncation marker
    s.setHardState({ term: 2, vote: 'b', commit: 6 });
    await s.sync();
    s.append(range(11, 14, 2)); // overwrite with no hard state after the cut: truncation marker
    s.createSnapshot(6, conf, new Uint8Array([1, 2, 3]));
    s.compact(5);
    s.append(range(13, 20, 3));
    s.setHardState({ term: 3, vote: null, commit: 15 });
    const before = dump(s);
    expect(before).toMatchObject({ first: 6, last: 20, prevTerm: 1, initial: { hardState: { term: 3, vote: null, commit: 15 }, confState: conf } });
    await s.close();
    const r = await FileRaftStorage.open(sim, DIR, { segmentBytes: 600 });
    // Recovery starts from the snapshot: entries it covers are compacted away.
    expect(r.firstIndex()).toBe(7);
    expect(r.entries(7, 21)).toEqual(s.entries(7, 21));
    expect(r.initialState()).toEqual(s.initialState());
    expect(r.snapshot()).toEqual(s.snapshot());
    expect(r.recovery).toMatchObject({ tornTail: null, snapshotIndex: 6, entries: 14, staleEntries: 0, hardStateSource: 'log' });
    await r.close();
  });

  it('a crash after sync keeps every synced entry and hard state and loses the unsynced ones', async () => {
    const sim = new SimulatedFileSystem();
    const s = await FileRaftStorage.open(sim, DIR);
    s.append(range(1, 8, 1));
    s.setHardState({ term: 1, vote: 'a', commit: 3 });
    await s.sync();
    const synced = dump(s);
    s.append(range(5, 9, 2));
    s.setHardState({ term: 2, vote: 'c', commit: 3 });
    s.createSnapshot(3, conf, new Uint8Array([9]));
    sim.crash();
    const r = await FileRaftStorage.open(sim, DIR);
    expect(dump(r)).toEqual(synced);
  });

  it('a commit-only hard-state change needs no sync of its own and is durable with the next one', async () => {
    const sim = new SimulatedFileSystem();
    const s = await FileRaftStorage.open(sim, DIR);
    s.append(range(1, 3, 1));
    s.setHardState({ term: 1, vote: 'a', commit: 0 });
    await s.sync();
    const syncs = sim.stats.fileSyncs;
    s.setHardState({ term: 1, vote: 'a', commit: 2 });
    expect(sim.stats.fileSyncs).toBe(syncs);
    await s.sync();
    sim.crash();
    expect((await FileRaftStorage.open(sim, DIR)).initialState().hardState).toEqual({ term: 1, vote: 'a', commit: 2 });
  });

  it('clamps a recovered commit index to the recovered log', async () => {
    const sim = new SimulatedFileSystem();
    const s = await FileRaftStorage.open(sim, DIR);
    s.append(range(1, 5, 1));
    s.setHardState({ term: 1, vote: null, commit: 5 });
    s.append(range(3, 3, 2)); // a shorter log after the commit (not raft-realistic; tests the clamp)
    await s.close();
    expect((await FileRaftStorage.open(sim, DIR)).initialState().hardState.commit).toBe(3);
  });

  it('refuses writes after close', async () => {
    const s = await FileRaftStorage.open(new SimulatedFileSystem(), DIR);
    await s.close();
    expect(() => s.append([e(1, 1)])).toThrow(/closed/i);
    await expect(s.sync()).rejects.toThrow(/closed/i);
  });
});

describe('FileRaftStorage torn tails and corruption', () => {
  /** Byte offsets where the last `n` bytes of the only log segment start. */
  async function build(): Promise<{ sim: SimulatedFileSystem; file: string; lastStart: number; end: number }> {
    const sim = new SimulatedFileSystem();
    const s = await FileRaftStorage.open(sim, DIR);
    s.append(range(1, 5, 1));
    s.setHardState({ term: 1, vote: 'b', commit: 2 });
    await s.sync();
    s.append([e(6, 1)]);
    await s.close();
    const [file] = await walFiles(sim);
    const end = (await sim.readFile(file as string)).length;
    return { sim, file: file as string, end, lastStart: end - (20 + 17 + e(6, 1).data.length) };
  }

  it('truncating the log at every byte offset of the last record keeps every earlier record', async () => {
    const { sim, file, lastStart, end } = await build();
    for (let cut = lastStart; cut <= end; cut++) {
      const copy = await cloneFs(sim);
      copy.truncateTo(file, cut);
      const r = await FileRaftStorage.open(copy, DIR);
      const whole = cut === end;
      expect(r.lastIndex(), `cut at ${cut}`).toBe(whole ? 6 : 5);
      expect(r.entries(1, r.lastIndex() + 1)).toEqual(range(1, whole ? 6 : 5, 1));
      expect(r.initialState().hardState).toEqual({ term: 1, vote: 'b', commit: 2 });
      expect(r.recovery.tornTail === null, `cut at ${cut}`).toBe(cut === lastStart || whole);
      // The cut was made durable: a crash right after recovery does not bring the tail back.
      copy.crash();
      expect((await FileRaftStorage.open(copy, DIR)).lastIndex()).toBe(whole ? 6 : 5);
    }
  });

  it('a bit flip before the tail is a CorruptionError', async () => {
    const { sim, file, lastStart } = await build();
    for (const offset of [3, 25, Math.floor(lastStart / 2), lastStart - 1]) {
      const copy = await cloneFs(sim);
      copy.corrupt(file, offset, offset % 8);
      await expect(FileRaftStorage.open(copy, DIR), `flip at ${offset}`).rejects.toMatchObject({ code: 'CORRUPTION' });
    }
  });

  it('a corrupt newest snapshot falls back to the older one, and the log after it is still there', async () => {
    const sim = new SimulatedFileSystem();
    const s = await FileRaftStorage.open(sim, DIR, { segmentBytes: 300 });
    s.append(range(1, 40, 1));
    await s.sync();
    s.createSnapshot(10, conf, new Uint8Array([10]));
    s.compact(10);
    await s.sync();
    s.createSnapshot(30, conf, new Uint8Array([30]));
    s.compact(30);
    await s.close();
    const snaps = (await sim.readdir(joinPath(DIR, 'snap'))).map((n) => joinPath(DIR, 'snap', n));
    expect(snaps).toHaveLength(2);
    sim.corrupt(snaps[1] as string, 30);
    const r = await FileRaftStorage.open(sim, DIR, { segmentBytes: 300 });
    expect(r.recovery.skippedSnapshots).toHaveLength(1);
    expect(r.snapshot().metadata.index).toBe(10);
    expect(r.entries(11, 41)).toEqual(range(11, 40, 1));
    sim.corrupt(snaps[0] as string, 30);
    await expect(FileRaftStorage.open(sim, DIR)).rejects.toMatchObject({ code: 'CORRUPTION' });
  });
});

describe('FileRaftStorage snapshots from a leader', () => {
  const leaderSnap: Snapshot = { metadata: { index: 50, term: 3, confState: conf }, data: new Uint8Array([5, 0]) };

  it('applySnapshot then reopen: the snapshot is the state and later appends follow it', async () => {
    const sim = new SimulatedFileSystem();
    const s = await FileRaftStorage.open(sim, DIR, { segmentBytes: 400 });
    s.append(range(1, 30, 1));
    s.setHardState({ term: 2, vote: 'a', commit: 10 });
    await s.sync();
    const segments = (await walFiles(sim)).length;
    expect(segments).toBeGreaterThan(2);
    s.applySnapshot(leaderSnap);
    s.setHardState({ term: 3, vote: 'a', commit: 50 });
    s.append(range(51, 55, 3));
    await s.sync();
    sim.crash();
    const r = await FileRaftStorage.open(sim, DIR, { segmentBytes: 400 });
    expect(r.snapshot()).toEqual(leaderSnap);
    expect([r.firstIndex(), r.lastIndex(), r.term(50)]).toEqual([51, 55, 3]);
    expect(r.entries(51, 56)).toEqual(range(51, 55, 3));
    expect(r.initialState()).toEqual({ hardState: { term: 3, vote: 'a', commit: 50 }, confState: conf });
    // The segments holding only the replaced log were released by the sync after the reset (the
    // one the reset marker was written to may remain).
    expect((await walFiles(sim)).length).toBeLessThanOrEqual(2);
    expect(r.stats.segments).toBe((await walFiles(sim)).length);
  });

  it('a snapshot made durable without its log reset: the replaced log is dropped, and appends follow the snapshot', async () => {
    const sim = new SimulatedFileSystem();
    const fs = crashingAtLogFsync(sim);
    const s = await FileRaftStorage.open(fs, DIR);
    s.append(range(1, 60, 1)); // reaches past the snapshot, with another term
    s.setHardState({ term: 2, vote: 'a', commit: 10 });
    await s.sync();
    s.applySnapshot(leaderSnap);
    fs.armed = true;
    await expect(s.sync()).rejects.toThrow(/sync failed/);
    const r = await FileRaftStorage.open(sim, DIR);
    expect(r.recovery).toMatchObject({ snapshotIndex: 50, entries: 0, staleEntries: 10 });
    expect([r.firstIndex(), r.lastIndex(), r.term(50)]).toEqual([51, 50, 3]);
    r.append(range(51, 52, 3));
    await r.close();
    const again = await FileRaftStorage.open(sim, DIR);
    expect(again.entries(51, 53)).toEqual(range(51, 52, 3));
    expect(again.initialState().hardState).toEqual({ term: 2, vote: 'a', commit: 10 });
  });

  it('every torn prefix of the log after applySnapshot keeps the synced hard state and never goes below the snapshot', async () => {
    const sim = new SimulatedFileSystem();
    const s = await FileRaftStorage.open(sim, DIR);
    s.append(range(1, 30, 1));
    s.setHardState({ term: 2, vote: 'a', commit: 10 });
    await s.sync();
    const [file] = await walFiles(sim);
    const synced = (await sim.readFile(file as string)).length;
    s.applySnapshot(leaderSnap);
    s.setHardState({ term: 3, vote: 'a', commit: 50 });
    s.append(range(51, 53, 3));
    await s.close();
    const end = (await sim.readFile(file as string)).length;
    const seen = new Set<number>();
    for (let cut = synced; cut <= end; cut++) {
      const copy = await cloneFs(sim);
      copy.truncateTo(file as string, cut);
      const r = await FileRaftStorage.open(copy, DIR);
      const hs = r.initialState().hardState;
      expect([hs.term, hs.vote], `cut at ${cut}`).toEqual(hs.term === 2 ? [2, 'a'] : [3, 'a']);
      expect(r.snapshot().metadata.index).toBe(50);
      expect(r.firstIndex()).toBe(51);
      expect(r.entries(51, r.lastIndex() + 1)).toEqual(range(51, r.lastIndex(), 3));
      seen.add(r.lastIndex());
    }
    expect([...seen].sort()).toEqual([50, 51, 52, 53]);
  });

  it('every torn prefix of an overwrite keeps the synced hard state, with or without a truncation marker', async () => {
    for (const hsAfter of [false, true]) {
      const sim = new SimulatedFileSystem();
      const s = await FileRaftStorage.open(sim, DIR);
      s.append(range(1, 4, 1));
      if (!hsAfter) s.setHardState({ term: 2, vote: 'c', commit: 1 });
      s.append(range(5, 8, 1));
      if (hsAfter) s.setHardState({ term: 2, vote: 'c', commit: 1 });
      await s.sync();
      const [file] = await walFiles(sim);
      const synced = (await sim.readFile(file as string)).length;
      s.append(range(3, 6, 2));
      await s.close();
      const end = (await sim.readFile(file as string)).length;
      for (let cut = synced; cut <= end; cut++) {
        const copy = await cloneFs(sim);
        copy.truncateTo(file as string, cut);
        const r = await FileRaftStorage.open(copy, DIR);
        expect(r.initialState().hardState, `hsAfter=${hsAfter} cut=${cut}`).toEqual({ term: 2, vote: 'c', commit: 1 });
        const got = r.entries(1, r.lastIndex() + 1);
        const ok = [range(1, 8, 1), ...[2, 3, 4, 5, 6].map((n) => [...range(1, 2, 1), ...range(3, n, 2)])];
        expect(ok, `hsAfter=${hsAfter} cut=${cut}`).toContainEqual(got);
      }
    }
  });
});

describe('FileRaftStorage compaction and group commit', () => {
  it('compact releases the segments below the oldest snapshot kept, and the hard state survives it', async () => {
    const sim = new SimulatedFileSystem();
    const s = await FileRaftStorage.open(sim, DIR, { segmentBytes: 512 });
    // The only hard-state record is the log's first record: compaction must keep a copy of it.
    s.setHardState({ term: 1, vote: 'a', commit: 0 });
    s.append(range(1, 200, 1)); // entry i is record i + 1
    await s.sync();
    const initial = await walFiles(sim);
    expect(initial.length).toBeGreaterThan(10);
    /** The record positions the remaining segments start at. */
    const starts = async (): Promise<number[]> => (await walFiles(sim)).map((f) => Number(f.slice(-24, -4)));
    s.createSnapshot(100, conf, new Uint8Array([1]));
    s.compact(100);
    await s.sync();
    let [first, second] = await starts();
    expect(first).toBeLessThanOrEqual(101);
    expect(second).toBeGreaterThan(101);
    const afterFirst = (await walFiles(sim)).length;
    expect(s.stats.segmentsReleased).toBe(initial.length - afterFirst);
    s.createSnapshot(150, conf, new Uint8Array([2]));
    s.compact(150);
    await s.sync();
    // Snapshot 100 is still kept as a fallback: nothing after it may go.
    expect((await walFiles(sim)).length).toBe(afterFirst);
    s.createSnapshot(199, conf, new Uint8Array([3]));
    s.compact(199);
    await s.sync();
    [first, second] = await starts();
    expect(first).toBeLessThanOrEqual(151);
    expect(second).toBeGreaterThan(151);
    expect(s.stats.segmentsReleased).toBe(initial.length - (await walFiles(sim)).length);
    sim.crash();
    const r = await FileRaftStorage.open(sim, DIR, { segmentBytes: 512 });
    expect(r.initialState().hardState).toEqual({ term: 1, vote: 'a', commit: 0 });
    expect([r.firstIndex(), r.lastIndex()]).toEqual([200, 200]);
    expect(r.snapshot().data).toEqual(new Uint8Array([3]));
  });

  it('segments go only after the records that replace them are durable (crash at the fsync)', async () => {
    const sim = new SimulatedFileSystem();
    const fs = crashingAtLogFsync(sim);
    const s = await FileRaftStorage.open(fs, DIR, { segmentBytes: 512 });
    s.setHardState({ term: 1, vote: 'a', commit: 0 });
    s.append(range(1, 200, 1));
    await s.sync();
    s.createSnapshot(150, conf, new Uint8Array([1]));
    s.compact(150);
    fs.armed = true;
    await expect(s.sync()).rejects.toThrow(/sync failed/);
    const r = await FileRaftStorage.open(sim, DIR, { segmentBytes: 512 });
    expect(r.initialState().hardState).toEqual({ term: 1, vote: 'a', commit: 0 });
    expect([r.snapshot().metadata.index, r.lastIndex()]).toEqual([150, 200]);
  });

  it('1000 appends and one sync cost one file fsync (plus, per segment rolled, one for the finished segment and a directory fsync)', async () => {
    const sim = new SimulatedFileSystem();
    const s = await FileRaftStorage.open(sim, DIR);
    const { fileSyncs, dirSyncs } = sim.stats;
    const fsyncs = s.stats.fsyncs;
    for (let i = 1; i <= 1000; i++) s.append([e(i, 1)]);
    await s.sync();
    expect(sim.stats.fileSyncs - fileSyncs).toBe(1);
    expect(sim.stats.dirSyncs - dirSyncs).toBe(0);
    expect(s.stats.fsyncs - fsyncs).toBe(1);
    expect(s.stats.records).toBe(1000);

    const small = new SimulatedFileSystem();
    const t = await FileRaftStorage.open(small, DIR, { segmentBytes: 8192 });
    const before = small.stats;
    for (let i = 1; i <= 1000; i++) t.append([e(i, 1)]);
    await t.sync();
    const rolled = (await walFiles(small)).length - 1;
    expect(rolled).toBeGreaterThan(2);
    expect(small.stats.fileSyncs - before.fileSyncs).toBe(1 + rolled);
    expect(small.stats.dirSyncs - before.dirSyncs).toBe(1);
  });

  it('concurrent syncs share the work and all resolve durable', async () => {
    const sim = new SimulatedFileSystem();
    const s = await FileRaftStorage.open(sim, DIR);
    const hs: HardState = { term: 4, vote: 'b', commit: 2 };
    s.append(range(1, 3, 4));
    const a = s.sync();
    s.setHardState(hs);
    const b = s.sync();
    await Promise.all([a, b]);
    sim.crash();
    const r = await FileRaftStorage.open(sim, DIR);
    expect([r.lastIndex(), r.initialState().hardState]).toEqual([3, hs]);
  });
});
