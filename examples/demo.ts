/**
 * `npm run demo`: three managers replicate their store through raft on an in-memory network under
 * virtual time. A service is written on the leader, the leader is cut off, a new leader takes
 * over, and every manager ends with the same state. (The control-plane demo, with workers and
 * tasks, replaces this when the orchestrators land.)
 *
 *   npm run demo [-- --seed 7]
 */
import { pathToFileURL } from 'node:url';
import { InMemoryNetwork, MemoryRaftStorage, Random, VirtualClock, createReplicatedStore, type RaftMessage } from 'flotilla';

export async function main(log: (line: string) => void = console.log, seed = 7): Promise<void> {
  const clock = new VirtualClock();
  const random = Random.fromSeed(seed);
  const network = new InMemoryNetwork<RaftMessage>({ clock, random: random.fork('network'), latency: { min: 1, mean: 3 } });
  const ids = ['manager-1', 'manager-2', 'manager-3'];
  const managers = ids.map((id) => {
    const m = createReplicatedStore(
      { id, peers: ids, storage: new MemoryRaftStorage(), endpoint: network.endpoint(id), clock, random: random.fork(id) },
      { onSoftState: (s) => s.role === 'leader' && log(`[${(clock.now() / 1000).toFixed(2)}s] ${id} is the leader`) },
    );
    m.driver.start();
    return { id, ...m };
  });
  const leader = async () => {
    await clock.advanceUntilAsync(() => managers.some((m) => m.driver.isLeader), { timeout: '10s' });
    const l = managers.find((m) => m.driver.isLeader);
    if (l === undefined) throw new Error('no leader elected');
    return l;
  };

  const first = await leader();
  const service = (id: string, name: string) => ({ id, spec: { name, task: { container: { image: 'nginx:1.27' } } }, specVersion: 1 });
  await clock.settle(first.store.update((tx) => tx.services.create(service(random.id(), 'web'))));
  log(`[${(clock.now() / 1000).toFixed(2)}s] created service web on ${first.id}`);

  network.isolate(first.id);
  log(`[${(clock.now() / 1000).toFixed(2)}s] cut ${first.id} off the network`);
  await clock.advanceUntilAsync(() => managers.some((m) => m !== first && m.driver.isLeader), { timeout: '10s' });
  const second = managers.find((m) => m !== first && m.driver.isLeader);
  if (second === undefined) throw new Error('no new leader');
  await clock.settle(second.store.update((tx) => tx.services.create(service(random.id(), 'db'))));
  log(`[${(clock.now() / 1000).toFixed(2)}s] created service db on ${second.id}`);

  network.heal();
  await clock.advanceAsync('2s');
  for (const m of managers) {
    const names = m.store.view((tx) => tx.services.all().map((s) => s.spec.name).sort());
    log(`${m.id}: index ${m.store.index}, services ${names.join(', ')}${m.driver.isLeader ? ' (leader)' : ''}`);
  }
  for (const m of managers) m.driver.stop();
  network.close();
  const stats = network.stats();
  log(`messages: ${stats.sent} sent, ${stats.delivered} delivered, ${stats.dropped.total} dropped`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--seed');
  await main(console.log, i > 0 ? Number(process.argv[i + 1]) : 7);
}
