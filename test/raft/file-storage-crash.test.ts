import { describe, expect, it } from 'vitest';
import { FileRaftStorage } from '../../src/raft/file-storage.js';
import type { Entry, HardState } from '../../src/raft/index.js';
import { SimulatedFileSystem, type FileSystem, type WritableFile } from '../../src/raft/wal/index.js';
import { Random } from '../../src/runtime/index.js';

const DIR = '/node/raft';
const conf = { voters: ['a', 'b', 'c'], learners: [] };

function dataFor(index: number, term: number): Uint8Array {
  const out = new Uint8Array((index * 7 + term * 3) % 60);
  for (let i = 0; i < out.length; i++) out[i] = (index * 31 + term * 17 + i) & 0xff;
  return out;
}
const e = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: dataFor(index, term) });

/** Wraps a SimulatedFileSystem: the `n`-th operation after `arm(n)` crashes the disk and throws. */
class CrashingFileSystem implements FileSystem {
  private left = Infinity;
  crashed = false;
  constructor(readonly sim: SimulatedFileSystem) {}

  arm(n: number): void {
    this.left = n;
  }

  crashNow(): void {
    if (this.crashed) return;
    this.crashed = true;
    this.sim.crash();
  }

  private async step<T>(op: () => Promise<T>): Promise<T> {
    if (this.crashed) throw new Error('disk gone');
    if (--this.left <= 0) {
      this.crashNow();
      throw new Error('simulated power loss');
    }
    return op();
  }

  mkdirp = (d: string) => this.step(() => this.sim.mkdirp(d));
  readdir = (d: string) => this.step(() => this.sim.readdir(d));
  exists = (p: string) => this.step(() => this.sim.exists(p));
  size = (p: string) => this.step(() => this.sim.size(p));
  readFile = (p: string) => this.step(() => this.sim.readFile(p));
  truncate = (p: string, n: number) => this.step(() => this.sim.truncate(p, n));
  syncFile = (p: string) => this.step(() => this.sim.syncFile(p));
  rename = (a: string, b: string) => this.step(() => this.sim.rename(a, b));
  unlink = (p: string) => this.step(() => this.sim.unlink(p));
  syncDir = (d: string) => this.step(() => this.sim.syncDir(d));
  openAppend = (p: string, o?: { truncate?: boolean }) =>
    this.step(async (): Promise<WritableFile> => {
      const f = await this.sim.openAppend(p, o);
      return { path: p, append: (b) => this.step(() => f.append(b)), sync: () => this.step(() => f.sync()), close: () => f.close() };
    });
}

/** The log as the model knows it after some write: the term of every index up to `last`. */
interface LogState {
  readonly terms: readonly (number | undefined)[];
  readonly last: number;
}

describe('FileRaftStorage crash recovery with torn writes (seeded)', () => {
  it('recovers a state that continues what was synced, over 200 seeds', async () => {
    for (let seed = 0; seed < 200; seed++) {
      const where = `SEED=${seed}`;
      const random = Random.fromSeed(`file-storage-${seed}`);
      const sim = new SimulatedFileSystem({ random: random.fork('disk'), keepUnsyncedChance: 0.7, zeroFillChance: 0.3, keepDirChangesChance: 0.5 });
      const disk = new CrashingFileSystem(sim);
      const options = { segmentBytes: 300 + random.int(1200) };
      const s = await FileRaftStorage.open(disk, DIR, options);
      disk.arm(1 + random.int(120));

      // The model: log states after every write (and within an append), hard states, snapshots.
      let terms: (number | undefined)[] = [0];
      let last = 0;
      let snapIndex = 0;
      let term = 1;
      let committed = 0;
      let syncedLast = 0;
      let hs: HardState = { term: 0, vote: null, commit: 0 };
      const states: LogState[] = [{ terms: [0], last: 0 }];
      const hardStates: HardState[] = [hs];
      const snapshots = new Map<number, number>([[0, 0]]);
      let durable = { state: 0, hardState: 0, snapshot: 0 };
      const record = (): void => void states.push({ terms: terms.slice(0, last + 1), last });
      const setHard = (next: HardState): void => {
        hs = next;
        hardStates.push(hs);
        s.setHardState(hs);
      };

      for (let step = 0; step < 80 && !disk.crashed; step++) {
        const roll = random.int(20);
        if (roll < 8) {
          const k = random.intBetween(Math.max(committed, s.firstIndex() - 1) + 1, last + 1);
          if (k <= last) term++;
          const batch = Array.from({ length: 1 + random.int(5) }, (_, i) => e(k + i, term));
          s.append(batch);
          last = k - 1;
          record();
          for (const x of batch) {
            terms[x.index] = x.term;
            last = x.index;
            record();
          }
          syncedLast = Math.min(syncedLast, k - 1);
        } else if (roll < 11) {
          if (random.chance(0.4)) term++;
          const vote = hs.term === term && hs.vote !== null ? hs.vote : random.pick([null, 'a', 'b', 'c']);
          committed = random.intBetween(committed, Math.max(committed, syncedLast));
          setHard({ term: Math.max(term, hs.term), vote, commit: committed });
        } else if (roll < 12) {
          const upTo = Math.min(committed, syncedLast);
          if (upTo > snapIndex) {
            snapIndex = random.intBetween(snapIndex + 1, upTo);
            snapshots.set(snapIndex, s.createSnapshot(snapIndex, conf, new Uint8Array([snapIndex & 0xff])).metadata.term);
          }
        } else if (roll < 13) {
          if (snapIndex >= s.firstIndex()) s.compact(random.intBetween(s.firstIndex(), snapIndex));
        } else if (roll < 14) {
          const index = random.intBetween(Math.max(snapIndex, committed) + 1, last + 5);
          term++;
          s.applySnapshot({ metadata: { index, term, confState: conf }, data: new Uint8Array([1, index & 0xff]) });
          terms = [];
          terms[index] = term;
          last = snapIndex = committed = index;
          syncedLast = Math.min(syncedLast, index);
          snapshots.set(index, term);
          record();
          setHard({ term, vote: hs.term === term ? hs.vote : null, commit: index });
        } else {
          try {
            await s.sync();
            durable = { state: states.length - 1, hardState: hardStates.length - 1, snapshot: snapIndex };
            syncedLast = last;
          } catch (err) {
            if (!disk.crashed) throw err;
          }
        }
      }
      if (!disk.crashed) {
        // Leave a sync in flight, then pull the plug.
        const pending = s.sync().catch(() => undefined);
        disk.crashNow();
        await pending;
      }

      const r = await FileRaftStorage.open(sim, DIR, options).catch((err: unknown) => {
        throw new Error(`${where}: recovery failed: ${String(err)}`);
      });
      const sR = r.snapshot().metadata.index;
      const tR = r.snapshot().metadata.term;
      const lastR = r.lastIndex();
      expect(sR, `${where}: snapshot ${sR} is older than the synced one ${durable.snapshot}`).toBeGreaterThanOrEqual(durable.snapshot);
      expect(snapshots.get(sR), `${where}: snapshot ${sR} has term ${tR}`).toBe(tR);
      const got = r.entries(sR + 1, lastR + 1);
      for (const x of got) expect(x, where).toEqual(e(x.index, x.term));
      const matches = states.slice(durable.state).some((c) => c.last === lastR && c.terms[sR] === tR && got.every((x) => c.terms[x.index] === x.term));
      expect(matches, `${where}: recovered log ${sR}(t${tR})..${lastR} [${got.map((x) => x.term).join(',')}] matches no state since the last sync`).toBe(true);
      const h = r.initialState().hardState;
      const hsOk = hardStates.slice(durable.hardState).some((c) => c.term === h.term && c.vote === h.vote && h.commit <= c.commit);
      expect(hsOk, `${where}: recovered hard state ${JSON.stringify(h)}, synced ${JSON.stringify(hardStates[durable.hardState])}`).toBe(true);
      expect(h.commit, where).toBeLessThanOrEqual(lastR);

      // The recovered storage is usable, and a clean reopen sees exactly what it holds.
      r.append([e(lastR + 1, term + 1)]);
      await r.close();
      const again = await FileRaftStorage.open(sim, DIR, options);
      expect([again.lastIndex(), again.snapshot().metadata.index, again.initialState()], where).toEqual([lastR + 1, sR, r.initialState()]);
      expect(again.entries(sR + 1, lastR + 2), where).toEqual(r.entries(sR + 1, lastR + 2));
      await again.close();
    }
  });
});
