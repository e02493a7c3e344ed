import { describe, expect, it } from 'vitest';
import { replicated, running, simulate } from './support.js';

describe('nodes on a simulated cluster', () => {
  it('drain moves every task off the node; pause keeps them but takes no new ones', async () => {
    const cluster = await simulate({ managers: 1, workers: 3 });
    await cluster.services.create(replicated('web', 6));
    await cluster.services.waitConverged('web');
    const [w1, w2] = cluster.workers as [string, string];
    const w1Id = cluster.nodes.inspect(w1).id;
    expect(running(cluster, 'web').some((t) => t.nodeId === w1Id)).toBe(true);

    await cluster.nodes.update(w1, { availability: 'drain' });
    await cluster.waitFor(() => cluster.tasks.list({ node: w1, state: 'running' }).length === 0, { waitingFor: 'the drain' });
    await cluster.services.waitConverged('web');
    expect(running(cluster, 'web')).toHaveLength(6);
    expect(running(cluster, 'web').some((t) => t.nodeId === w1Id)).toBe(false);

    const w2Id = cluster.nodes.inspect(w2).id;
    const onW2 = running(cluster, 'web').filter((t) => t.nodeId === w2Id).length;
    await cluster.nodes.update(w2, { availability: 'pause' });
    await cluster.services.scale('web', 10);
    await cluster.services.waitConverged('web');
    expect(running(cluster, 'web').filter((t) => t.nodeId === w2Id)).toHaveLength(onW2);
    expect(cluster.nodes.inspect(w2).spec.availability).toBe('pause');
  });

  it('a node that misses three heartbeats goes down and its tasks are rescheduled', async () => {
    const cluster = await simulate({ managers: 1, workers: 2 });
    await cluster.services.create(replicated('web', 4));
    await cluster.services.waitConverged('web');
    const [w1] = cluster.workers as [string];
    const w1Id = cluster.nodes.inspect(w1).id;
    const before = cluster.clock.now();
    const downs: string[] = [];
    cluster.on('node-down', (n) => downs.push(n.id));
    cluster.isolate(w1);
    await cluster.waitFor(() => cluster.nodes.inspect(w1).status.state === 'down', { waitingFor: 'worker-1 down' });
    const after = cluster.clock.now() - before;
    expect(after).toBeGreaterThanOrEqual(3 * 5000 * 0.9);
    expect(after).toBeLessThanOrEqual(4 * 5000 * 1.1);
    expect(downs).toEqual([w1Id]);
    await cluster.services.waitConverged('web');
    expect(running(cluster, 'web').filter((t) => t.nodeId !== w1Id)).toHaveLength(4);
  });

  it('tasks on a node down longer than the node-down period become orphaned', async () => {
    const cluster = await simulate({ managers: 1, workers: 2, nodeDownPeriod: '10m' });
    await cluster.services.create(replicated('web', 2, { task: { container: { image: 'busybox' }, placement: { constraints: ['node.hostname==worker-1'] } } }));
    await cluster.services.waitConverged('web');
    const ids = cluster.tasks.list({ service: 'web' }).map((t) => t.id);
    cluster.isolate('worker-1');
    await cluster.waitFor(() => cluster.nodes.inspect('worker-1').status.state === 'down');
    await cluster.advance('5m');
    expect(ids.map((id) => cluster.tasks.inspect(id).status.state)).toEqual(['running', 'running']);
    await cluster.advance('6m');
    expect(ids.map((id) => cluster.tasks.inspect(id).status.state)).toEqual(['orphaned', 'orphaned']);
  });

  it('tasks keep running while every manager is unreachable, and the agent reconnects', async () => {
    const cluster = await simulate({ managers: 1, workers: 2 });
    await cluster.services.create(replicated('web', 4));
    await cluster.services.waitConverged('web');
    const containers = () => cluster.workers.flatMap((w) => cluster.simulated(w).containers().filter((c) => c.state === 'running').map((c) => c.taskId)).sort();
    const runningBefore = containers();
    cluster.isolate('manager-1');
    await cluster.advance('2m');
    expect(containers()).toEqual(runningBefore);
    cluster.heal();
    await cluster.waitFor(() => cluster.nodes.list().every((n) => n.status.state === 'ready'), { waitingFor: 'nodes ready again' });
    await cluster.services.waitConverged('web');
    expect(cluster.tasks.list({ service: 'web', desiredState: 'running' }).length).toBe(4);
  });

  it('lists, inspects, labels and removes nodes as docker node does', async () => {
    const cluster = await simulate({ managers: 1, workers: 2 });
    expect(cluster.nodes.list().map((n) => [n.spec.name, n.role, n.status.state])).toEqual([
      ['manager-1', 'manager', 'ready'],
      ['worker-1', 'worker', 'ready'],
      ['worker-2', 'worker', 'ready'],
    ]);
    expect(cluster.nodes.inspect('manager-1').managerStatus?.leader).toBe(true);
    await cluster.nodes.update('worker-1', { labels: { zone: 'a' } });
    expect(cluster.nodes.list({ label: 'zone=a' }).map((n) => n.spec.name)).toEqual(['worker-1']);
    await expect(cluster.nodes.remove('worker-2')).rejects.toThrow(/not down/);
    await expect(cluster.nodes.demote('manager-1')).rejects.toThrow(/last manager/);
    await cluster.nodes.remove('worker-2', { force: true });
    expect(cluster.nodes.list().map((n) => n.spec.name)).toEqual(['manager-1', 'worker-1']);
    const added = await cluster.addNode({ labels: { zone: 'b' } });
    expect(added.status.state).toBe('ready');
    expect(cluster.info()).toMatchObject({ nodes: 3, managers: 1 });
  });
});
