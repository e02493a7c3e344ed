import { describe, expect, it } from 'vitest';
import { replicated, running, simulate } from './support.js';

describe('replicated services on a simulated cluster', () => {
  it('reach the declared replica count and keep it over time', async () => {
    const cluster = await simulate({ managers: 1, workers: 3 });
    await cluster.services.create(replicated('web', 5));
    await cluster.services.waitConverged('web');
    expect(running(cluster, 'web')).toHaveLength(5);
    expect(new Set(running(cluster, 'web').map((t) => t.slot))).toEqual(new Set([1, 2, 3, 4, 5]));
    await cluster.advance('10m');
    expect(running(cluster, 'web')).toHaveLength(5);
    expect(cluster.tasks.list({ service: 'web' })).toHaveLength(5);
  });

  it('replaces a crashed task in its slot, and history shows the failed task with its exit code', async () => {
    const cluster = await simulate({ managers: 1, workers: 2 });
    await cluster.services.create(replicated('web', 2));
    await cluster.services.waitConverged('web');
    const victim = running(cluster, 'web').find((t) => t.slot === 2);
    expect(victim).toBeDefined();
    expect(cluster.kill(victim!.id, { exitCode: 3 })).toBe(true);
    await cluster.waitFor(() => cluster.tasks.inspect(victim!.id).status.state === 'failed');
    await cluster.services.waitConverged('web');
    const slot2 = cluster.tasks.list({ service: 'web' }).filter((t) => t.slot === 2);
    expect(slot2).toHaveLength(2);
    const failed = slot2.find((t) => t.id === victim!.id)!;
    expect(failed.status.state).toBe('failed');
    expect(failed.status.exitCode).toBe(3);
    expect(failed.desiredState).toBe('shutdown');
    const replacement = slot2.find((t) => t.id !== victim!.id)!;
    expect(replacement.status.state).toBe('running');
    // Docker's default restart delay is 5 s.
    expect(replacement.status.timestamp - failed.status.timestamp).toBeGreaterThanOrEqual(5000);
  });

  it('keeps at most five old tasks per slot (task history retention limit)', async () => {
    const cluster = await simulate({ managers: 1, workers: 1, behaviours: { services: { flaky: { runFor: '2s', exitCode: 1 } } } });
    await cluster.services.create({ ...replicated('flaky', 1), task: { container: { image: 'busybox' }, restartPolicy: { delay: '1s' } } });
    await cluster.advance('3m');
    const slot = cluster.tasks.list({ service: 'flaky' }).filter((t) => t.slot === 1);
    expect(slot.length).toBeGreaterThan(1);
    expect(slot.length).toBeLessThanOrEqual(6);
    const old = slot.filter((t) => t.desiredState !== 'running' && t.desiredState !== 'ready');
    expect(old.length).toBeLessThanOrEqual(5);
    expect(cluster.info().orchestration.taskHistoryRetentionLimit).toBe(5);
  });

  it('scales up into the lowest free slots and down to the declared count', async () => {
    const cluster = await simulate({ managers: 1, workers: 3 });
    await cluster.services.create(replicated('web', 2));
    await cluster.services.waitConverged('web');
    await cluster.services.scale('web', 6);
    await cluster.services.waitConverged('web');
    expect(running(cluster, 'web').map((t) => t.slot).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    await cluster.services.scale('web', 3);
    await cluster.services.waitConverged('web');
    expect(running(cluster, 'web')).toHaveLength(3);
  });

  it('removing a service shuts its tasks down and deletes them', async () => {
    const cluster = await simulate({ managers: 1, workers: 2 });
    await cluster.services.create(replicated('web', 3));
    await cluster.services.waitConverged('web');
    const ids = running(cluster, 'web').map((t) => t.id);
    const node = cluster.tasks.inspect(ids[0]!).nodeId;
    await cluster.services.remove('web');
    await cluster.waitFor(() => cluster.view((tx) => tx.tasks.all().length === 0), { waitingFor: 'tasks to be deleted' });
    expect(cluster.simulated(node).containers().filter((c) => c.state === 'running')).toHaveLength(0);
  });
});
