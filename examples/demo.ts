/**
 * `npm run demo`: a simulated cluster of 3 managers and 5 workers under virtual time. It deploys a
 * replicated and a global service, drains a node, rolls an update, kills the leader, and prints
 * what happens, with a progress line per service. Everything derives from the seed, so the same
 * seed prints the same story.
 *
 *   npm run demo [-- --seed 7]
 */
import { pathToFileURL } from 'node:url';
import { Cluster, type SimulatedCluster } from 'flotilla';

function bar(running: number, desired: number, width = 20): string {
  const filled = desired === 0 ? width : Math.round((running / desired) * width);
  return `[${'#'.repeat(Math.min(width, filled))}${'.'.repeat(Math.max(0, width - filled))}] ${running}/${desired}`;
}

export async function main(log: (line: string) => void = console.log, seed = 7): Promise<void> {
  const cluster: SimulatedCluster = await Cluster.simulate({ seed, managers: 3, workers: 5 });
  const t0 = cluster.clock.now();
  const t = () => `[${((cluster.clock.now() - t0) / 1000).toFixed(1).padStart(6)}s]`;
  const progress = () => {
    for (const s of cluster.services.list()) {
      const { running, desired } = cluster.services.replicas(s.spec.name);
      log(`${t()}   ${s.spec.name.padEnd(8)} ${bar(running, desired)}${s.updateStatus ? `  update: ${s.updateStatus.state}` : ''}`);
    }
  };
  cluster.on('leader-changed', (leader) => log(`${t()} leader: ${leader ?? '(none)'}`));
  cluster.on('node-down', (node) => log(`${t()} node ${node.spec.name ?? node.id} is down`));
  cluster.on('update-status', (svc, status) => log(`${t()} ${svc.spec.name}: update ${status.state}${status.message ? ` (${status.message})` : ''}`));

  log(`${t()} cluster up: ${cluster.managers.join(', ')} + ${cluster.workers.join(', ')}; leader ${cluster.leader ?? '?'}`);

  await cluster.services.create({
    name: 'web',
    mode: { replicated: { replicas: 6 } },
    task: { container: { image: 'nginx:1.27' }, resources: { reservations: { memoryBytes: 256 * 2 ** 20 } } },
    update: { parallelism: 2, delay: '2s', order: 'start-first' },
  });
  await cluster.services.create({ name: 'agent', mode: { global: {} }, task: { container: { image: 'busybox', command: ['sleep', '1d'] } } });
  await cluster.services.waitConverged('web');
  await cluster.services.waitConverged('agent');
  log(`${t()} deployed web (6 replicas) and agent (global)`);
  progress();

  const drained = cluster.workers[0] as string;
  await cluster.nodes.update(drained, { availability: 'drain' });
  await cluster.waitFor(() => cluster.tasks.list({ node: drained, state: 'running' }).length === 0, { waitingFor: `${drained} to drain` });
  await cluster.services.waitConverged('web');
  log(`${t()} drained ${drained}: its tasks moved to the other nodes`);
  progress();

  await cluster.services.update('web', (s) => {
    s.task.container.image = 'nginx:1.28';
  });
  await cluster.services.waitConverged('web');
  log(`${t()} rolled web to nginx:1.28`);
  progress();

  const old = cluster.leader as string;
  await cluster.crash(old);
  log(`${t()} crashed the leader ${old}`);
  await cluster.waitFor(() => cluster.leader !== undefined && cluster.leader !== old, { waitingFor: 'a new leader' });
  await cluster.services.scale('web', 8);
  await cluster.services.waitConverged('web');
  log(`${t()} new leader ${cluster.leader ?? '?'} scaled web to 8`);
  progress();

  const tasks = cluster.tasks.list({ service: 'web', desiredState: 'running' });
  const slots = new Set(tasks.map((x) => x.slot));
  log(`${t()} web runs ${tasks.length} tasks in ${slots.size} distinct slots, none on ${drained}: ${tasks.every((x) => cluster.nodes.inspect(x.nodeId).spec.name !== drained)}`);
  await cluster.close();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--seed');
  await main(console.log, i > 0 ? Number(process.argv[i + 1]) : 7);
}
