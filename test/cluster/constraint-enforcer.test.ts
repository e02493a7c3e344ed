import { describe, expect, it } from 'vitest';
import { replicated, running, simulate } from './support.js';

describe('the constraint enforcer on a simulated cluster', () => {
  it('rejects a running task whose node lost the label it needs, and the replacement runs where it fits', async () => {
    const cluster = await simulate({ managers: 1, workers: 2, nodes: [{ availability: 'drain' }, { labels: { disk: 'ssd' } }, {}] });
    await cluster.services.create(replicated('db', 1, { task: { container: { image: 'busybox' }, placement: { constraints: ['node.labels.disk==ssd'] } } }));
    await cluster.services.waitConverged('db');
    const [first] = running(cluster, 'db');
    await cluster.nodes.update('worker-2', { labels: { disk: 'ssd' } });
    await cluster.nodes.update('worker-1', { labels: {} });
    await cluster.waitFor(() => cluster.tasks.inspect(first!.id).status.state === 'rejected', { waitingFor: 'the rejection' });
    expect(cluster.tasks.inspect(first!.id).status.message).toBe('task rejected by constraint enforcer');
    await cluster.services.waitConverged('db');
    const [second] = running(cluster, 'db');
    expect(second?.nodeId).toBe(cluster.nodes.inspect('worker-2').id);
    await cluster.advance('30s');
    expect(cluster.simulated('worker-1').containers().filter((c) => c.state === 'running')).toHaveLength(0);
  });
});
