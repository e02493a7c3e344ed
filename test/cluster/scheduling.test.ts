import { describe, expect, it } from 'vitest';
import { replicated, running, simulate } from './support.js';

const GiB = 2 ** 30;

describe('scheduling on a simulated cluster', () => {
  it('leaves a task pending with the counted reasons, and schedules it as soon as a node fits', async () => {
    const cluster = await simulate({ managers: 1, workers: 4, nodes: [{}, {}, {}, { availability: 'drain' }, { availability: 'drain' }] });
    await cluster.services.create(replicated('big', 1, { task: { container: { image: 'busybox' }, resources: { reservations: { memoryBytes: 16 * GiB } } } }));
    await cluster.advance('5s');
    const [task] = cluster.tasks.list({ service: 'big' });
    expect(task?.status.state).toBe('pending');
    expect(task?.status.err ?? task?.status.message).toBe('no suitable node (insufficient memory on 3 nodes; 2 nodes not available for new tasks)');
    const node = await cluster.addNode({ resources: { nanoCpus: 8e9, memoryBytes: 32 * GiB } });
    await cluster.services.waitConverged('big');
    expect(running(cluster, 'big')[0]?.nodeId).toBe(node.id);
  });

  it('explains unmet constraints and all nodes drained', async () => {
    const cluster = await simulate({ managers: 1, workers: 2 });
    await cluster.services.create(replicated('picky', 1, { task: { container: { image: 'busybox' }, placement: { constraints: ['node.labels.zone==mars'] } } }));
    await cluster.advance('5s');
    expect(cluster.tasks.list({ service: 'picky' })[0]?.status.err).toBe('no suitable node (scheduling constraints not satisfied on 3 nodes)');
    for (const n of ['manager-1', 'worker-1', 'worker-2']) await cluster.nodes.update(n, { availability: 'drain' });
    await cluster.services.create(replicated('any', 1));
    await cluster.advance('5s');
    expect(cluster.tasks.list({ service: 'any' })[0]?.status.err).toBe('no suitable node (3 nodes not available for new tasks)');
    await cluster.nodes.update('worker-1', { labels: { zone: 'mars' }, availability: 'active' });
    await cluster.services.waitConverged('picky');
    await cluster.services.waitConverged('any');
  });

  it('spreads replicas across the values of a label (placement preference)', async () => {
    const cluster = await simulate({
      managers: 1,
      workers: 4,
      nodes: [{ availability: 'drain' }, { labels: { zone: 'a' } }, { labels: { zone: 'a' } }, { labels: { zone: 'a' } }, { labels: { zone: 'b' } }],
    });
    await cluster.services.create(replicated('web', 4, { task: { container: { image: 'busybox' }, placement: { preferences: [{ spread: 'node.labels.zone' }] } } }));
    await cluster.services.waitConverged('web');
    const zoneOf = (nodeId: string) => cluster.nodes.inspect(nodeId).spec.labels?.zone;
    const zones = running(cluster, 'web').map((t) => zoneOf(t.nodeId));
    expect(zones.filter((z) => z === 'a')).toHaveLength(2);
    expect(zones.filter((z) => z === 'b')).toHaveLength(2);
  });

  it('binpack fills one node before the next', async () => {
    const cluster = await simulate({ managers: 1, workers: 3, strategy: 'binpack', nodes: [{ availability: 'drain' }] });
    await cluster.services.create(replicated('web', 6, { task: { container: { image: 'busybox' }, resources: { reservations: { memoryBytes: 2 * GiB } } } }));
    await cluster.services.waitConverged('web');
    const counts = new Map<string, number>();
    for (const t of running(cluster, 'web')) counts.set(t.nodeId, (counts.get(t.nodeId) ?? 0) + 1);
    expect([...counts.values()].sort()).toEqual([2, 4]);
  });

  it('spread (the default) balances replicas, and maxReplicas caps them per node', async () => {
    const cluster = await simulate({ managers: 1, workers: 3 });
    await cluster.services.create(replicated('web', 8));
    await cluster.services.waitConverged('web');
    const counts = new Map<string, number>();
    for (const t of running(cluster, 'web')) counts.set(t.nodeId, (counts.get(t.nodeId) ?? 0) + 1);
    expect([...counts.values()].sort()).toEqual([2, 2, 2, 2]);

    await cluster.services.create(replicated('capped', 6, { task: { container: { image: 'busybox' }, placement: { maxReplicas: 1 } } }));
    await cluster.advance('10s');
    expect(running(cluster, 'capped')).toHaveLength(4);
    const pending = cluster.tasks.list({ service: 'capped', state: 'pending' });
    expect(pending).toHaveLength(2);
    expect(pending[0]?.status.err).toBe('no suitable node (max replicas per node reached on 4 nodes)');
  });
});
