import { describe, expect, it } from 'vitest';
import { simulate } from './support.js';

describe('jobs on a simulated cluster', () => {
  it('a replicated job runs to its total completions, at most maxConcurrent at a time', async () => {
    const cluster = await simulate({ managers: 1, workers: 2, behaviours: { services: { batch: { runFor: '10s', exitCode: 0 } } } });
    let peak = 0;
    cluster.on('task-state', () => {
      peak = Math.max(peak, cluster.tasks.list({ service: 'batch', state: 'running' }).length);
    });
    await cluster.services.create({ name: 'batch', mode: { replicatedJob: { maxConcurrent: 2, totalCompletions: 5 } }, task: { container: { image: 'busybox' } } });
    await cluster.services.waitConverged('batch', { timeout: '5m' });
    expect(cluster.tasks.list({ service: 'batch', state: 'complete' })).toHaveLength(5);
    expect(peak).toBe(2);
  });

  it('retries a failed job task per its restart policy', async () => {
    const cluster = await simulate({ managers: 1, workers: 1 });
    cluster.setBehaviour({ service: 'once' }, { runFor: '1s', exitCode: 1 });
    await cluster.services.create({ name: 'once', mode: { replicatedJob: { totalCompletions: 1 } }, task: { container: { image: 'busybox' }, restartPolicy: { delay: '1s' } } });
    await cluster.waitFor(() => cluster.tasks.list({ service: 'once', state: 'failed' }).length >= 2, { waitingFor: 'two failures' });
    cluster.setBehaviour({ service: 'once' }, { runFor: '1s', exitCode: 0 });
    await cluster.services.waitConverged('once', { timeout: '2m' });
    expect(cluster.tasks.list({ service: 'once', state: 'complete' })).toHaveLength(1);
  });

  it('a global job completes once per node, and an update runs a new iteration', async () => {
    const cluster = await simulate({ managers: 1, workers: 2, behaviours: { services: { sweep: { runFor: '2s', exitCode: 0 } } } });
    await cluster.services.create({ name: 'sweep', mode: { globalJob: {} }, task: { container: { image: 'busybox' } } });
    await cluster.services.waitConverged('sweep', { timeout: '1m' });
    expect(cluster.tasks.list({ service: 'sweep', state: 'complete' })).toHaveLength(3);
    await cluster.services.update('sweep', (s) => {
      s.task.container.env = ['RUN=2'];
    });
    await cluster.services.waitConverged('sweep', { timeout: '1m' });
    const done = cluster.tasks.list({ service: 'sweep', state: 'complete' }).filter((t) => t.jobIteration === 1);
    expect(done).toHaveLength(3);
  });
});
