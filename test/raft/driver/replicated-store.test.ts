import { describe, expect, it } from 'vitest';
import { InMemoryNetwork } from '../../../src/transport/index.js';
import { Random, VirtualClock } from '../../../src/runtime/index.js';
import {
  MemoryRaftStorage,
  NotLeaderError,
  createReplicatedStore,
  forceNewCluster,
  storeStateMachine,
  type RaftMessage,
} from '../../../src/raft/index.js';
import { Store } from '../../../src/store/index.js';
import { QuorumLostError, VersionConflictError } from '../../../src/errors/index.js';
import { service } from '../../store/fixtures.js';

function managers(seed: number, n = 3, snapshotInterval?: number) {
  const clock = new VirtualClock();
  const random = Random.fromSeed(seed);
  const net = new InMemoryNetwork<RaftMessage>({ clock, random: random.fork('net') });
  const ids = Array.from({ length: n }, (_, i) => `m${i + 1}`);
  const members = ids.map((id) => {
    const storage = new MemoryRaftStorage();
    const { store, driver } = createReplicatedStore({
      id,
      peers: ids,
      storage,
      endpoint: net.endpoint(id),
      clock,
      random: random.fork(id),
      ...(snapshotInterval === undefined ? {} : { snapshotInterval, logEntriesForSlowFollowers: 5 }),
    });
    driver.start();
    return { id, storage, store, driver };
  });
  const leader = async () => {
    expect(await clock.advanceUntilAsync(() => members.some((m) => m.driver.isLeader), { timeout: '10s' })).toBe(true);
    return members.find((m) => m.driver.isLeader)!;
  };
  const run = <T>(p: Promise<T>) => clock.settle(p, { timeout: '30s' });
  const names = (store: Store) => store.view((tx) => tx.services.all().map((s) => `${s.spec.name}@${s.meta.version}`).sort());
  return { clock, net, members, leader, run, names };
}

describe('replicated store', () => {
  it('applies a write on the leader to every manager at the same raft index', async () => {
    const c = managers(11);
    const l = await c.leader();
    await c.run(l.store.update((tx) => tx.services.create(service('s1', 'web'))));
    await c.run(l.store.update((tx) => tx.services.create(service('s2', 'db'))));
    await c.clock.advanceAsync('1s');
    const expected = c.names(l.store);
    expect(expected).toHaveLength(2);
    for (const m of c.members) {
      expect(c.names(m.store)).toEqual(expected);
      expect(m.store.index).toBe(l.store.index);
    }
  });

  it('refuses a write on a follower with NotLeaderError naming the leader, changing nothing', async () => {
    const c = managers(12);
    const l = await c.leader();
    await c.clock.advanceAsync('1s');
    const f = c.members.find((m) => m !== l)!;
    const err = await f.store.update((tx) => tx.services.create(service('s1', 'web'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotLeaderError);
    expect((err as NotLeaderError).leader).toBe(l.id);
    for (const m of c.members) expect(c.names(m.store)).toEqual([]);
  });

  it('rejects a pipelined write that conflicts with one committed before it, on every manager alike', async () => {
    const c = managers(13);
    const l = await c.leader();
    await c.run(l.store.update((tx) => tx.services.create(service('s1', 'web'))));
    const rename = (name: string) => l.store.update((tx) => tx.services.update('s1', (d) => void (d.spec = { ...d.spec, name })));
    const first = rename('web-a');
    const second = rename('web-b'); // staged against the same version as the first
    const outcomes = await c.run(Promise.allSettled([first, second]));
    expect(outcomes[0].status).toBe('fulfilled');
    expect(outcomes[1].status === 'rejected' && outcomes[1].reason instanceof VersionConflictError).toBe(true);
    await c.clock.advanceAsync('1s');
    for (const m of c.members) expect(c.names(m.store)[0]).toMatch(/^web-a@/);
  });

  it('keeps every acknowledged write across a leader failover', async () => {
    const c = managers(14);
    const l1 = await c.leader();
    for (let i = 0; i < 5; i++) await c.run(l1.store.update((tx) => tx.services.create(service(`a${i}`, `before-${i}`))));
    c.net.isolate(l1.id);
    expect(await c.clock.advanceUntilAsync(() => c.members.some((m) => m !== l1 && m.driver.isLeader), { timeout: '10s' })).toBe(true);
    const l2 = c.members.find((m) => m !== l1 && m.driver.isLeader)!;
    await c.run(l2.store.update((tx) => tx.services.create(service('b0', 'after-0'))));
    c.net.heal();
    await c.clock.advanceAsync('3s');
    for (const m of c.members) expect(c.names(m.store)).toEqual(c.names(l2.store));
    expect(c.names(l2.store)).toHaveLength(6);
  });

  it('fails writes with QuorumLostError when a majority is gone', async () => {
    const c = managers(15);
    const l = await c.leader();
    for (const m of c.members) if (m !== l) c.net.isolate(m.id);
    const err = await c.run(l.store.update((tx) => tx.services.create(service('s1', 'web'))).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(QuorumLostError);
  });

  it('catches a manager that was away up from a store snapshot plus the log tail', async () => {
    const c = managers(16, 3, 10);
    const l = await c.leader();
    const away = c.members.find((m) => m !== l)!;
    c.net.isolate(away.id);
    for (let i = 0; i < 40; i++) await c.run(l.store.update((tx) => tx.services.create(service(`s${i}`, `svc-${i}`))));
    expect(l.storage.firstIndex()).toBeGreaterThan(1);
    c.net.heal();
    await c.clock.advanceAsync('5s');
    expect(c.names(away.store)).toEqual(c.names(l.store));
    expect(c.names(away.store)).toHaveLength(40);
  });

  it('force-new-cluster restarts one survivor alone with all committed state', async () => {
    const c = managers(17);
    const l = await c.leader();
    for (let i = 0; i < 3; i++) await c.run(l.store.update((tx) => tx.services.create(service(`s${i}`, `svc-${i}`))));
    await c.clock.advanceAsync('1s');
    const survivor = c.members.find((m) => m !== l)!;
    const before = c.names(survivor.store);
    for (const m of c.members) m.driver.stop();

    const clock = new VirtualClock({ start: c.clock.now() });
    forceNewCluster(survivor.storage, survivor.id, storeStateMachine(new Store({ clock })));
    const net = new InMemoryNetwork<RaftMessage>({ clock, random: Random.fromSeed(1) });
    const revived = createReplicatedStore({ id: survivor.id, storage: survivor.storage, endpoint: net.endpoint(survivor.id), clock, random: Random.fromSeed(2) });
    revived.driver.start();
    expect(await clock.advanceUntilAsync(() => revived.driver.isLeader, { timeout: '10s' })).toBe(true);
    expect(c.names(revived.store).map((n) => n.split('@')[0])).toEqual(before.map((n) => n.split('@')[0]));
    await clock.settle(revived.store.update((tx) => tx.services.create(service('n1', 'new'))), { timeout: '10s' });
    expect(revived.driver.status().config.voters).toEqual([survivor.id]);
  });
});
