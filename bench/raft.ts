/**
 * Raft benchmarks (`npm run bench -- raft`):
 * - throughput: three in-process members on the in-memory network (no latency, no faults) with
 *   memory storage; proposals of 128-byte entries offered in windows, committed entries per second
 *   of wall time, batching done by the core (one append message carries many entries);
 * - failover: simulated time from a leader crash to the first commit under a new leader, over 100
 *   seeds with the default settings (100 ms tick, election tick 10), p50 and p99; goal p99 < 2 s.
 */
import { pathToFileURL } from 'node:url';
import { InMemoryNetwork, MemoryRaftStorage, Random, RaftDriver, VirtualClock, type RaftMessage, type RaftStateMachine } from 'flotilla';
import { measureFailover } from 'flotilla/testing';

const ENTRY = new Uint8Array(128);

async function throughput(total: number, window: number): Promise<{ perSec: number; ms: number; messages: number }> {
  const clock = new VirtualClock();
  const random = Random.fromSeed('bench/raft');
  const net = new InMemoryNetwork<RaftMessage>({ clock, random: random.fork('net'), latency: 0, cloneMessages: false });
  const ids = ['a', 'b', 'c'];
  const applied = new Map<string, number>();
  const machine = (id: string): RaftStateMachine => ({
    apply: () => void applied.set(id, (applied.get(id) ?? 0) + 1),
    snapshot: () => new Uint8Array(0),
    restore: () => undefined,
  });
  const drivers = ids.map(
    (id) =>
      new RaftDriver({
        id,
        peers: ids,
        storage: new MemoryRaftStorage(),
        endpoint: net.endpoint(id),
        clock,
        random: random.fork(id),
        stateMachine: machine(id),
        snapshotInterval: 1_000_000,
        maxInflightMsgs: 4096,
      }),
  );
  for (const d of drivers) d.start();
  await clock.advanceUntilAsync(() => drivers.some((d) => d.isLeader), { timeout: '10s' });
  const leader = drivers.find((d) => d.isLeader);
  if (leader === undefined) throw new Error('no leader');
  const leaderId = ids[drivers.indexOf(leader)] as string;
  for (const d of drivers) d.node.status(); // warm
  const start = performance.now();
  for (let sent = 0; sent < total; sent += window) {
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < window; i++) batch.push(leader.propose(ENTRY));
    await clock.settle(Promise.all(batch), { timeout: '1m' });
  }
  const ms = performance.now() - start;
  const messages = net.stats().sent;
  for (const d of drivers) d.stop();
  net.close();
  const onLeader = applied.get(leaderId) ?? 0;
  if (onLeader < total) throw new Error(`only ${onLeader} of ${total} applied on the leader`);
  return { perSec: (total / ms) * 1000, ms, messages };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] as number;

export { throughput };
export async function main(out: (line: string) => void = console.log): Promise<void> {
  for (const window of [64, 1024]) {
    const r = await throughput(100_000, window);
    out(`throughput, 3 members, memory storage, 128 B entries, ${window} in flight: ${Math.round(r.perSec).toLocaleString('en')} committed entries/s (${r.ms.toFixed(0)} ms for 100,000; ${r.messages.toLocaleString('en')} messages)`);
  }
  for (const members of [3, 5]) {
    const times: number[] = [];
    for (let seed = 1; seed <= 100; seed++) times.push((await measureFailover({ seed, members })).committedAfterMs);
    out(`failover, ${members} members, default settings, 100 seeds: p50 ${pct(times, 50).toFixed(0)} ms, p99 ${pct(times, 99).toFixed(0)} ms (simulated, leader crash to first commit under the new leader)${pct(times, 99) < 2000 ? '' : ' ABOVE the 2 s goal'}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
