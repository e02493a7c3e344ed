import { describe, expect, it } from 'vitest';
import { running, simulate } from './support.js';
import type { ServiceSpec } from '../../src/api/index.js';

const global = (name: string, constraints?: string[]): ServiceSpec => ({
  name,
  mode: { global: {} },
  task: { container: { image: 'busybox', command: ['sleep', '1d'] }, ...(constraints ? { placement: { constraints } } : {}) },
});

describe('global services on a simulated cluster', () => {
  it('run one task per node and follow joins, drains and constraint changes', async () => {
    const cluster = await simulate({ managers: 1, workers: 2 });
    await cluster.services.create(global('agent'));
    await cluster.services.waitConverged('agent');
    const perNode = () => {
      const counts = new Map<string, number>();
      for (const t of running(cluster, 'agent')) counts.set(t.nodeId, (counts.get(t.nodeId) ?? 0) + 1);
      return counts;
    };
    expect([...perNode().values()]).toEqual([1, 1, 1]);

    const joined = await cluster.addNode({ labels: { gpu: 'yes' } });
    await cluster.services.waitConverged('agent');
    expect(perNode().get(joined.id)).toBe(1);
    expect(perNode().size).toBe(4);

    await cluster.nodes.update('worker-1', { availability: 'drain' });
    await cluster.waitFor(() => !perNode().has(cluster.nodes.inspect('worker-1').id), { waitingFor: 'the drained node to lose its task' });
    expect(perNode().size).toBe(3);

    await cluster.services.update('agent', (s) => {
      s.task.placement = { constraints: ['node.labels.gpu==yes'] };
    });
    await cluster.services.waitConverged('agent');
    expect([...perNode().keys()]).toEqual([joined.id]);
  });

  it('gives a paused node nothing new', async () => {
    const cluster = await simulate({ managers: 1, workers: 2 });
    await cluster.nodes.update('worker-2', { availability: 'pause' });
    await cluster.services.create(global('agent'));
    await cluster.advance('30s');
    const w2 = cluster.nodes.inspect('worker-2').id;
    expect(running(cluster, 'agent').map((t) => t.nodeId)).not.toContain(w2);
    expect(running(cluster, 'agent')).toHaveLength(2);
  });
});
