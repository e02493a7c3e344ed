import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/runtime/index.js';
import { SimulatedFileSystem, WriteAheadLog, type FileSystem, type WalRecord, type WritableFile } from '../../../src/raft/wal/index.js';
import { makeRecords, payloadFor, plain } from './harness.js';

const DIR = '/node/wal';

/** Wraps a SimulatedFileSystem: the `n`-th operation after `arm(n)` crashes the disk and throws. */
class CrashingFileSystem implements FileSystem {
  private left = Infinity;
  crashed = false;
  constructor(readonly sim: SimulatedFileSystem) {}

  arm(n: number): void {
    this.left = n;
  }

  private async step<T>(op: () => Promise<T>): Promise<T> {
    if (this.crashed) throw new Error('disk gone');
    if (--this.left <= 0) {
      this.crashed = true;
      this.sim.crash();
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

type Event = { readonly kind: 'entry'; readonly record: WalRecord } | { readonly kind: 'truncate'; readonly after: number };

function applyEvents(state: readonly WalRecord[], events: readonly Event[]): WalRecord[] {
  const out = [...state];
  for (const e of events) {
    if (e.kind === 'entry') out.push(e.record);
    else out.length = e.after;
  }
  return out;
}

describe('WriteAheadLog crash recovery on SimulatedFileSystem', () => {
  it('a crash loses only unsynced records and keeps every synced one', async () => {
    const sim = new SimulatedFileSystem();
    const { wal } = await WriteAheadLog.open(sim, DIR, { segmentBytes: 4096 });
    const synced = makeRecords(1, 300);
    wal.append(synced);
    await wal.sync();
    wal.append(makeRecords(301, 50));
    void wal.sync(); // started but the crash comes first: the writes are not durable
    sim.crash();
    const { records, tornTail } = await WriteAheadLog.open(sim, DIR, { segmentBytes: 4096 });
    expect(plain(records)).toEqual(plain(synced));
    expect(tornTail).toBeNull();
  });

  it('a crash at any file-system operation, with torn and zero-filled writes, keeps every synced record (seeded)', async () => {
    const seeds = 300;
    for (let seed = 0; seed < seeds; seed++) {
      const random = Random.fromSeed(seed);
      const sim = new SimulatedFileSystem({ random: random.fork('disk'), keepUnsyncedChance: 0.7, zeroFillChance: 0.3, keepDirChangesChance: 0.5 });
      const disk = new CrashingFileSystem(sim);
      const options = { segmentBytes: 200 + random.int(600) };
      const { wal } = await WriteAheadLog.open(disk, DIR, options);
      disk.arm(1 + random.int(80));
      let durable: WalRecord[] = [];
      let events: Event[] = [];
      let released = 1;
      let last = 0;
      for (let step = 0; step < 60 && !disk.crashed; step++) {
        const roll = random.int(10);
        try {
          if (roll < 6) {
            const count = 1 + random.int(5);
            const batch = Array.from({ length: count }, (_, i) => ({ index: last + 1 + i, type: random.int(4), payload: payloadFor(last + 1 + i, random.int(90)) }));
            wal.append(batch);
            for (const record of batch) events.push({ kind: 'entry', record });
            last += count;
          } else if (roll < 7 && last > released) {
            const after = released + random.int(last - released);
            wal.truncateAfter(after);
            events.push({ kind: 'truncate', after });
            last = after;
          } else if (roll < 8 && durable.length >= released) {
            released += random.int(durable.length - released + 1);
            await wal.releaseBefore(released);
          } else {
            await wal.sync();
            durable = applyEvents(durable, events);
            events = [];
          }
        } catch (err) {
          if (!disk.crashed) throw err;
        }
      }
      if (!disk.crashed) sim.crash();
      const candidates = events.map((_, k) => applyEvents(durable, events.slice(0, k + 1)));
      candidates.unshift(durable);
      const recovered = await WriteAheadLog.open(sim, DIR, options).catch((err: unknown) => {
        throw new Error(`SEED=${seed}: recovery failed: ${String(err)}`);
      });
      const match = candidates.some(
        (c) =>
          recovered.lastIndex === c.length &&
          recovered.firstIndex <= Math.max(released, 1) &&
          JSON.stringify(plain(recovered.records)) === JSON.stringify(plain(c.slice(recovered.firstIndex - 1))),
      );
      expect(match, `SEED=${seed}: recovered ${recovered.firstIndex}..${recovered.lastIndex}, durable had ${durable.length}, ${events.length} unsynced events`).toBe(true);
      // The recovered log is usable: append after it and read it back.
      recovered.wal.append(makeRecords(recovered.lastIndex + 1, 3));
      await recovered.wal.close();
      sim.crash();
      expect((await WriteAheadLog.open(sim, DIR, options)).lastIndex, `SEED=${seed}`).toBe(recovered.lastIndex + 3);
    }
  });

  it('damage in synced data is always loud; damage past the synced tail is dropped quietly', async () => {
    const random = Random.fromSeed('bitflips');
    const sim = new SimulatedFileSystem();
    const { wal } = await WriteAheadLog.open(sim, DIR);
    const records = makeRecords(1, 40);
    wal.append(records);
    await wal.close();
    const [name] = (await sim.readdir(DIR)).filter((n) => n.endsWith('.wal'));
    const path = `${DIR}/${name}`;
    const pristine = await sim.readFile(path);
    const lastStart = pristine.length - (20 + (records[39] as WalRecord).payload.length);
    for (let i = 0; i < 200; i++) {
      const offset = random.int(pristine.length);
      const bit = random.int(8);
      const copy = new SimulatedFileSystem();
      await copy.mkdirp(DIR);
      const f = await copy.openAppend(path);
      await f.append(pristine);
      await f.sync();
      await copy.syncDir(DIR);
      copy.corrupt(path, offset, bit);
      const outcome = await WriteAheadLog.open(copy, DIR).then(
        (r) => ({ lastIndex: r.lastIndex, torn: r.tornTail !== null }),
        (e: unknown) => ({ error: e as Error }),
      );
      if (offset < lastStart) expect(outcome, `flip at ${offset}`).toMatchObject({ error: { code: 'CORRUPTION' } });
      else expect(outcome, `flip at ${offset}`).toEqual({ lastIndex: 39, torn: true });
    }
  });
});
