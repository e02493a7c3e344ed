/**
 * Durability benchmarks on the real disk, in a temporary directory (`npx tsx bench/wal.ts`):
 * - wal: 128-byte records appended to a {@link WriteAheadLog} in batches, one group commit (one
 *   fsync) per batch; records/s and fsyncs/s.
 * - raft, durable: three members on the in-memory network, each on its own
 *   {@link FileRaftStorage} over {@link NodeFileSystem}, on the real SystemClock. The driver
 *   fsyncs whenever a Ready must be durable (new entries, term or vote) before sending its
 *   messages (a leader's appends excepted: they go out while it syncs, so leader and followers
 *   write in parallel), and proposals made while an fsync runs wait for the next one (group
 *   commit). Clients keep up to 4,096 proposals of 128 bytes outstanding for 3 s; committed
 *   entries/s on the leader, fsyncs/s of each member, entries per leader fsync. Goal: 50,000
 *   committed entries/s; the disk sets the figure (compare with the wal lines above it).
 *
 * A missed goal prints "MISSED" and sets `process.exitCode = 1`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InMemoryNetwork, Random, RaftDriver, SystemClock, type Clock, type RaftMessage } from 'flotilla';
import { FileRaftStorage, NodeFileSystem, WriteAheadLog } from '../src/raft/index.js';

const RECORD_BYTES = 128;
const DURABLE_GOAL = 50_000;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function walRun(batch: number, seconds: number): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'flotilla-wal-bench-'));
  try {
    const { wal } = await WriteAheadLog.open(new NodeFileSystem(), path.join(root, 'wal'));
    const payload = new Uint8Array(RECORD_BYTES).fill(7);
    const before = wal.stats.fsyncs;
    const start = performance.now();
    let next = 1;
    while (performance.now() - start < seconds * 1000) {
      const records = [];
      for (let i = 0; i < batch; i++) records.push({ index: next++, type: 1, payload });
      wal.append(records);
      await wal.sync();
    }
    const elapsed = (performance.now() - start) / 1000;
    const fsyncs = wal.stats.fsyncs - before;
    await wal.close();
    process.stdout.write(`wal batch ${String(batch).padStart(5)}: ${fmt((next - 1) / elapsed).padStart(10)} records/s, ${fmt(fsyncs / elapsed).padStart(6)} fsyncs/s\n`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const sleep = (clock: Clock, ms: number): Promise<void> => new Promise((resolve) => clock.setTimeout(resolve, ms));

interface DurableResult {
  readonly committed: number;
  readonly seconds: number;
  readonly fsyncs: readonly number[];
  readonly leaderFsyncs: number;
}

/** Three members on FileRaftStorage: a closed loop of `window` outstanding proposals. */
export async function durable(window: number, seconds: number): Promise<DurableResult> {
  const root = await mkdtemp(path.join(tmpdir(), 'flotilla-raft-bench-'));
  const clock = new SystemClock();
  const random = Random.fromSeed('bench/raft-durable');
  const net = new InMemoryNetwork<RaftMessage>({ clock, random: random.fork('net'), latency: 0, cloneMessages: false });
  const ids = ['a', 'b', 'c'];
  const storages = await Promise.all(ids.map((id) => FileRaftStorage.open(new NodeFileSystem(), path.join(root, id))));
  let committed = 0;
  const drivers = ids.map(
    (id, i) =>
      new RaftDriver(
        {
          id,
          peers: ids,
          storage: storages[i] as FileRaftStorage,
          endpoint: net.endpoint(id),
          clock,
          random: random.fork(id),
          stateMachine: { apply: () => undefined, snapshot: () => new Uint8Array(0), restore: () => undefined },
        },
        { onFatalError: (err) => process.stderr.write(`member ${id} failed: ${String(err)}\n`) },
      ),
  );
  try {
    for (const d of drivers) d.start();
    drivers[0]?.node.campaign();
    for (let waited = 0; !drivers.some((d) => d.isLeader); waited += 10) {
      if (waited > 10_000) throw new Error('no leader within 10 s');
      await sleep(clock, 10);
    }
    const leader = drivers.findIndex((d) => d.isLeader);
    const d = drivers[leader] as RaftDriver;
    const payload = new Uint8Array(RECORD_BYTES).fill(7);
    const before = storages.map((s) => s.stats.fsyncs);
    const start = performance.now();
    const end = start + seconds * 1000;
    // Clients keep up to `window` proposals outstanding, topping up every millisecond: proposals
    // keep arriving while a sync runs, and the next Ready carries them all (group commit).
    let outstanding = 0;
    let failed: unknown;
    const done = (): void => {
      outstanding--;
      committed++;
    };
    const fail = (err: unknown): void => {
      outstanding--;
      failed ??= err;
    };
    while (performance.now() < end && failed === undefined) {
      for (; outstanding < window; outstanding++) void d.propose(payload).then(done, fail);
      await sleep(clock, 1);
    }
    for (let waited = 0; outstanding > 0 && waited < 10_000; waited += 5) await sleep(clock, 5);
    if (failed !== undefined) throw new Error(`a proposal failed: ${String(failed)}`);
    const elapsed = (performance.now() - start) / 1000;
    const fsyncs = storages.map((s, i) => s.stats.fsyncs - (before[i] as number));
    return { committed, seconds: elapsed, fsyncs, leaderFsyncs: fsyncs[leader] as number };
  } finally {
    for (const d of drivers) d.stop();
    net.close();
    await Promise.all(storages.map((s) => s.close().catch(() => undefined)));
    await rm(root, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  process.stdout.write(`wal: ${RECORD_BYTES}-byte records, group commit on NodeFileSystem (${tmpdir()})\n`);
  for (const batch of [1, 16, 256, 4096]) await walRun(batch, 1.5);
  const r = await durable(4096, 3);
  const perSec = r.committed / r.seconds;
  const total = r.fsyncs.reduce((a, b) => a + b, 0);
  let miss = '';
  if (perSec < DURABLE_GOAL) {
    process.exitCode = 1;
    miss = ` MISSED: goal ${fmt(DURABLE_GOAL)}/s`;
  }
  process.stdout.write(
    `raft, durable, 3 members on FileRaftStorage (fsync when mustSync), 128 B entries, up to 4096 outstanding: ${fmt(perSec)} committed entries/s, ` +
      `${fmt(total / r.seconds)} fsyncs/s over 3 members (${r.fsyncs.map((f) => fmt(f / r.seconds)).join(' / ')}), ` +
      `${(r.committed / Math.max(1, r.leaderFsyncs)).toFixed(0)} entries per leader fsync${miss}\n`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
