import { describe, expect, it } from 'vitest';
import { InMemoryNetwork } from '../../../src/transport/index.js';
import { Random, VirtualClock } from '../../../src/runtime/index.js';
import { MemoryRaftStorage, NotLeaderError, type RaftMessage } from '../../../src/raft/index.js';
import { RaftDriver, type RaftStateMachine } from '../../../src/raft/index.js';
import { ClosedError, QuorumLostError } from '../../../src/errors/index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A replicated list of strings; `apply` returns the list's new length. */
class ListMachine implements RaftStateMachine {
  items: string[] = [];
  apply(data: Uint8Array): number {
    const v = dec.decode(data);
    if (v === 'boom') throw new Error('rejected by the state machine');
    this.items.push(v);
    return this.items.length;
  }
  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify(this.items));
  }
  restore(data: Uint8Array): void {
    this.items = JSON.parse(dec.decode(data)) as string[];
  }
}

function cluster(seed: number, n = 3, opts: { snapshotInterval?: number } = {}) {
  const clock = new VirtualClock();
  const random = Random.fromSeed(seed);
  const net = new InMemoryNetwork<RaftMessage>({ clock, random: random.fork('net') });
  const ids = Array.from({ length: n }, (_, i) => `m${i + 1}`);
  const members = ids.map((id) => {
    const storage = new MemoryRaftStorage();
    const machine = new ListMachine();
    const driver = new RaftDriver({
      id,
      peers: ids,
      storage,
      endpoint: net.endpoint(id),
      clock,
      random: random.fork(id),
      stateMachine: machine,
      ...(opts.snapshotInterval === undefined ? {} : { snapshotInterval: opts.snapshotInterval, logEntriesForSlowFollowers: 5 }),
    });
    driver.start();
    return { id, storage, machine, driver };
  });
  const leader = () => members.find((m) => m.driver.isLeader);
  const waitLeader = async () => {
    expect(await clock.advanceUntilAsync(() => leader() !== undefined, { timeout: '10s' })).toBe(true);
    return leader() as (typeof members)[number];
  };
  const run = <T>(p: Promise<T>) => clock.settle(p, { timeout: '30s' });
  return { clock, net, members, leader, waitLeader, run };
}

describe('RaftDriver', () => {
  it('elects a leader on the virtual clock and replicates proposals to every member in order', async () => {
    const c = cluster(1);
    const l = await c.waitLeader();
    const results = await c.run(Promise.all(['a', 'b', 'c'].map((v) => l.driver.propose(enc.encode(v)))));
    expect(results.map((r) => r.result)).toEqual([1, 2, 3]);
    await c.clock.advanceAsync('1s');
    for (const m of c.members) expect(m.machine.items).toEqual(['a', 'b', 'c']);
  });

  it('refuses proposals on a follower with NotLeaderError naming the leader', async () => {
    const c = cluster(2);
    const l = await c.waitLeader();
    await c.clock.advanceAsync('1s');
    const follower = c.members.find((m) => m !== l)!;
    let err: unknown;
    try {
      await follower.driver.propose(enc.encode('x'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NotLeaderError);
    expect((err as NotLeaderError).leader).toBe(l.id);
  });

  it('settles a proposal with the error the state machine threw, on every member alike', async () => {
    const c = cluster(3);
    const l = await c.waitLeader();
    await expect(c.run(l.driver.propose(enc.encode('boom')))).rejects.toThrow('rejected by the state machine');
    const ok = await c.run(l.driver.propose(enc.encode('fine')));
    expect(ok.result).toBe(1);
  });

  it('fails writes with QuorumLostError after the proposal timeout when the leader is cut off', async () => {
    const c = cluster(4);
    const l = await c.waitLeader();
    c.net.isolate(l.id);
    const write = l.driver.propose(enc.encode('lost?'));
    const outcome = write.then(
      () => 'committed',
      (e: unknown) => e,
    );
    await c.clock.advanceAsync('11s');
    const err = await outcome;
    // check-quorum may demote the leader first; either way the write does not hang.
    expect(err).toBeInstanceOf(QuorumLostError);
  });

  it('fails over: after the leader is isolated a new leader commits, and the old one catches up when healed', async () => {
    const c = cluster(5);
    const l1 = await c.waitLeader();
    await c.run(l1.driver.propose(enc.encode('before')));
    c.net.isolate(l1.id);
    const t0 = c.clock.now();
    expect(await c.clock.advanceUntilAsync(() => c.members.some((m) => m !== l1 && m.driver.isLeader), { timeout: '10s' })).toBe(true);
    const failover = c.clock.now() - t0;
    expect(failover).toBeLessThan(4000);
    const l2 = c.members.find((m) => m !== l1 && m.driver.isLeader)!;
    await c.run(l2.driver.propose(enc.encode('after')));
    c.net.heal();
    await c.clock.advanceAsync('3s');
    for (const m of c.members) expect(m.machine.items).toEqual(['before', 'after']);
    expect(l1.driver.isLeader).toBe(false);
  });

  it('serves a linearizable read barrier only after applying what was committed', async () => {
    const c = cluster(6);
    const l = await c.waitLeader();
    await c.run(l.driver.propose(enc.encode('x')));
    const follower = c.members.find((m) => m !== l)!;
    const index = await c.run(follower.driver.readBarrier());
    expect(follower.driver.appliedIndex).toBeGreaterThanOrEqual(index);
    expect(follower.machine.items).toEqual(['x']);
  });

  it('snapshots and compacts, and a member that was away catches up from the snapshot', async () => {
    const c = cluster(7, 3, { snapshotInterval: 20 });
    const l = await c.waitLeader();
    const away = c.members.find((m) => m !== l)!;
    c.net.isolate(away.id);
    for (let i = 0; i < 60; i++) await c.run(l.driver.propose(enc.encode(`v${i}`)));
    expect(l.storage.firstIndex()).toBeGreaterThan(1);
    c.net.heal();
    await c.clock.advanceAsync('5s');
    expect(away.machine.items).toHaveLength(60);
    expect(away.machine.items).toEqual(l.machine.items);
  });

  it('stop() rejects pending work with ClosedError and stops every timer', async () => {
    const c = cluster(8);
    const l = await c.waitLeader();
    c.net.isolate(l.id);
    const p = l.driver.propose(enc.encode('x'));
    for (const m of c.members) m.driver.stop();
    await expect(p).rejects.toBeInstanceOf(ClosedError);
    c.net.close();
    expect(c.clock.pendingTimers).toBe(0);
  });
});

describe('RaftDriver with storage that fails to persist', () => {
  it('stops the member and reports the error instead of throwing into the process', async () => {
    const clock = new VirtualClock();
    const net = new InMemoryNetwork<RaftMessage>({ clock, random: Random.fromSeed(1) });
    const storage = Object.assign(new MemoryRaftStorage(), { sync: () => Promise.reject(new Error('disk full')) });
    const errors: unknown[] = [];
    const driver = new RaftDriver(
      { id: 'solo', peers: ['solo'], storage, endpoint: net.endpoint('solo'), clock, random: Random.fromSeed(2), stateMachine: new ListMachine() },
      { onFatalError: (e) => errors.push(e) },
    );
    driver.start();
    await clock.advanceAsync('3s');
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('disk full');
    await expect(driver.propose(enc.encode('x'))).rejects.toBeInstanceOf(ClosedError);
    net.close();
  });
});
