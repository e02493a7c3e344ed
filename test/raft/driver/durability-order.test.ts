import { describe, expect, it } from 'vitest';
import { InMemoryNetwork } from '../../../src/transport/index.js';
import { Random, VirtualClock, type Clock } from '../../../src/runtime/index.js';
import { ClosedError } from '../../../src/errors/index.js';
import { MemoryRaftStorage, RaftDriver, type Entry, type RaftMessage } from '../../../src/raft/index.js';
import { ListMachine, bytes, driverCluster, outcome } from './cluster.js';

/** A memory storage on a slow disk: `sync` completes `delay` ms later, and only then is durable. */
class SlowStorage extends MemoryRaftStorage {
  /** The last index made durable by a completed sync (the log as it stood when sync was called). */
  durableIndex = 0;
  constructor(
    private readonly clock: Clock,
    private readonly delay: number,
  ) {
    super();
  }
  override sync(): Promise<void> {
    const upTo = this.lastIndex();
    return new Promise((resolve) =>
      this.clock.setTimeout(() => {
        super.sync();
        this.durableIndex = Math.max(this.durableIndex, upTo);
        resolve();
      }, this.delay),
    );
  }
}

describe('RaftDriver: what may leave a member before its write is durable', () => {
  it("a leader's appends go out while its own write syncs; acknowledgements, commits and results only after", async () => {
    const storages = new Map<string, SlowStorage>();
    const c = driverCluster(31, 3, {
      storage: (id, clock) => {
        const s = new SlowStorage(clock, 5);
        storages.set(id, s);
        return s;
      },
    });
    const l = await c.waitLeader();
    await c.run(l.driver.propose(bytes('warm-up')));
    const violations: string[] = [];
    let parallel = 0;
    c.net.onTrace((ev) => {
      if (ev.kind !== 'send') return;
      const m = ev.message;
      const durable = (storages.get(ev.from) as SlowStorage).durableIndex;
      if (m.type === 'appResp' && m.reject !== true && (m.index ?? 0) > durable) violations.push(`${ev.from} acked ${m.index} with ${durable} durable`);
      if ((m.type === 'app' || m.type === 'heartbeat') && (m.commit ?? 0) > durable) violations.push(`${ev.from} sent commit ${m.commit} with ${durable} durable`);
      const last = m.entries?.at(-1)?.index ?? 0;
      if (m.type === 'app' && last > durable) parallel++;
    });
    const results = await c.run(Promise.all(Array.from({ length: 20 }, (_, i) => outcome(l.driver.propose(bytes(`v${i}`))))));
    for (const r of results) {
      expect('value' in r).toBe(true);
      if ('value' in r) expect(r.value.index).toBeLessThanOrEqual((storages.get(l.id) as SlowStorage).durableIndex);
    }
    expect(violations).toEqual([]);
    expect(parallel).toBeGreaterThan(0); // the followers' writes overlapped the leader's
    await c.clock.advanceAsync(500);
    for (const m of c.members) expect(m.machine.items).toHaveLength(21);
    c.close();
  });

  it('a single voter never lets a commit covering its unsynced entries reach a learner early', async () => {
    const clock = new VirtualClock();
    const random = Random.fromSeed(32);
    const net = new InMemoryNetwork<RaftMessage>({ clock, random: random.fork('net') });
    const vStorage = new SlowStorage(clock, 5);
    const lStorage = new SlowStorage(clock, 5);
    const v = new RaftDriver({ id: 'v', peers: ['v'], storage: vStorage, endpoint: net.endpoint('v'), clock, random: random.fork('v'), stateMachine: new ListMachine() });
    const lMachine = new ListMachine();
    const l = new RaftDriver({ id: 'l', storage: lStorage, endpoint: net.endpoint('l'), clock, random: random.fork('l'), stateMachine: lMachine });
    v.start();
    l.start();
    expect(await clock.advanceUntilAsync(() => v.isLeader, { timeout: '5s' })).toBe(true);
    await clock.settle(v.proposeConfChange({ type: 'addLearner', nodeId: 'l' }));
    const violations: string[] = [];
    net.onTrace((ev) => {
      if (ev.kind === 'send' && ev.from === 'v' && (ev.message.commit ?? 0) > vStorage.durableIndex) violations.push(`commit ${ev.message.commit} with ${vStorage.durableIndex} durable`);
    });
    for (let i = 0; i < 5; i++) await clock.settle(Promise.all([v.propose(bytes(`a${i}`)), v.propose(bytes(`b${i}`))]));
    await clock.advanceAsync(500);
    expect(violations).toEqual([]);
    expect(lMachine.items).toHaveLength(10);
    v.stop();
    l.stop();
    net.close();
  });
});

describe('RaftDriver with a storage that throws', () => {
  it('stops the member and fails pending work with the error, instead of wedging its loop', async () => {
    let broken = false;
    const errors: unknown[] = [];
    const c = driverCluster(33, 3, {
      events: () => ({ onFatalError: (e) => errors.push(e) }),
      storage: () =>
        Object.assign(new MemoryRaftStorage(), {
          append(this: MemoryRaftStorage, entries: readonly Entry[]) {
            if (broken) throw new Error('disk gone');
            MemoryRaftStorage.prototype.append.call(this, entries);
          },
        }),
    });
    const l = await c.waitLeader();
    await c.run(l.driver.propose(bytes('x')));
    broken = true;
    const write = outcome(l.driver.propose(bytes('y')));
    await c.clock.advanceAsync(10);
    const result = await write;
    expect('error' in result && (result.error as Error).message).toBe('disk gone');
    await expect(l.driver.propose(bytes('z'))).rejects.toBeInstanceOf(ClosedError);
    expect(errors.map((e) => (e as Error).message)).toEqual(['disk gone']);
    c.close();
  });
});
