import { describe, expect, it } from 'vitest';
import type { FailureAction } from '../../src/api/index.js';
import { replicated, running, simulate } from './support.js';

const BAD = { images: { 'busybox:bad': { runFor: '1s', exitCode: 1 } } };

describe('rolling updates on a simulated cluster', () => {
  const combos: ['stop-first' | 'start-first', FailureAction, string][] = [
    ['stop-first', 'pause', 'paused'],
    ['start-first', 'pause', 'paused'],
    ['stop-first', 'rollback', 'rollback_completed'],
    ['start-first', 'rollback', 'rollback_completed'],
    ['stop-first', 'continue', 'completed'],
    ['start-first', 'continue', 'completed'],
  ];

  it.each(combos)('order %s with failure action %s ends %s when the new tasks fail', async (order, failureAction, final) => {
    const cluster = await simulate({ managers: 1, workers: 2, behaviours: BAD });
    // A delay longer than the bad task's life lets each failure be seen before the next slot.
    await cluster.services.create(replicated('web', 3, { update: { order, failureAction, parallelism: 1, delay: '3s', monitor: '5s' } }));
    await cluster.services.waitConverged('web');
    const statuses: string[] = [];
    cluster.on('update-status', (svc, st) => svc.spec.name === 'web' && statuses.push(st.state));
    await cluster.services.update('web', (s) => {
      s.task.container.image = 'busybox:bad';
    });
    await cluster.waitFor(() => cluster.services.inspect('web').updateStatus?.state === final, { timeout: '5m', waitingFor: final });
    const svc = cluster.services.inspect('web');
    if (failureAction === 'pause') {
      expect(svc.updateStatus?.message).toMatch(/update paused due to failure or early termination of task/);
      // Only the first slot was touched before the pause.
      const onBad = cluster.tasks.list({ service: 'web' }).filter((t) => t.spec.container.image === 'busybox:bad');
      expect(new Set(onBad.map((t) => t.slot)).size).toBe(1);
    }
    if (failureAction === 'rollback') {
      expect(statuses).toContain('rollback_started');
      expect(svc.spec.task.container.image).toBe('busybox');
      await cluster.services.waitConverged('web');
      expect(running(cluster, 'web').every((t) => t.spec.container.image === 'busybox')).toBe(true);
      expect(running(cluster, 'web')).toHaveLength(3);
    }
    if (failureAction === 'continue') {
      const current = cluster.tasks.list({ service: 'web' }).filter((t) => t.desiredState === 'running' || t.desiredState === 'ready');
      expect(new Set(current.map((t) => t.slot))).toEqual(new Set([1, 2, 3]));
      expect(current.every((t) => t.spec.container.image === 'busybox:bad')).toBe(true);
    }
  });

  it('pauses a one-replica service whose new task fails (SwarmKit #1245)', async () => {
    const cluster = await simulate({ managers: 1, workers: 1, behaviours: BAD });
    await cluster.services.create(replicated('solo', 1));
    await cluster.services.waitConverged('solo');
    await cluster.services.update('solo', (s) => {
      s.task.container.image = 'busybox:bad';
    });
    await cluster.waitFor(() => cluster.services.inspect('solo').updateStatus?.state === 'paused', { timeout: '2m' });
  });

  it('rolls a good update through every replica, two at a time, with start-first never below the replica count', async () => {
    const cluster = await simulate({ managers: 1, workers: 3 });
    await cluster.services.create(replicated('web', 6, { update: { order: 'start-first', parallelism: 2, delay: '1s' } }));
    await cluster.services.waitConverged('web');
    let minimum = Infinity;
    cluster.on('task-state', () => {
      minimum = Math.min(minimum, running(cluster, 'web').length);
    });
    await cluster.services.update('web', (s) => {
      s.task.container.env = ['VERSION=2'];
    });
    await cluster.services.waitConverged('web', { timeout: '2m' });
    expect(cluster.services.inspect('web').updateStatus?.state).toBe('completed');
    expect(running(cluster, 'web').every((t) => t.spec.container.env?.[0] === 'VERSION=2')).toBe(true);
    expect(minimum).toBeGreaterThanOrEqual(6);
  });

  it('manual rollback swaps the spec and the previous spec', async () => {
    const cluster = await simulate({ managers: 1, workers: 2 });
    await cluster.services.create(replicated('web', 2));
    await cluster.services.waitConverged('web');
    await cluster.services.update('web', (s) => {
      s.task.container.image = 'busybox:2';
    });
    await cluster.services.waitConverged('web');
    await cluster.services.rollback('web');
    const svc = cluster.services.inspect('web');
    expect(svc.spec.task.container.image).toBe('busybox');
    expect(svc.previousSpec?.task.container.image).toBe('busybox:2');
    await cluster.services.waitConverged('web');
    expect(cluster.services.inspect('web').updateStatus?.state).toBe('rollback_completed');
    expect(running(cluster, 'web').every((t) => t.spec.container.image === 'busybox')).toBe(true);
  });

  it('a new update cancels the running one', async () => {
    const cluster = await simulate({ managers: 1, workers: 2 });
    await cluster.services.create(replicated('web', 4, { update: { parallelism: 1, delay: '10s' } }));
    await cluster.services.waitConverged('web');
    await cluster.services.update('web', (s) => {
      s.task.container.image = 'busybox:2';
    });
    await cluster.advance('12s');
    await cluster.services.update('web', (s) => {
      s.task.container.image = 'busybox:3';
    });
    await cluster.services.waitConverged('web', { timeout: '5m' });
    expect(running(cluster, 'web').map((t) => t.spec.container.image)).toEqual(Array(4).fill('busybox:3'));
  });

  it('a placement-only change restarts no task that still fits', async () => {
    const cluster = await simulate({ managers: 1, workers: 2, nodes: [{ labels: { tier: 'x' } }, { labels: { tier: 'x' } }, { labels: { tier: 'x' } }] });
    await cluster.services.create(replicated('web', 3));
    await cluster.services.waitConverged('web');
    const before = running(cluster, 'web').map((t) => t.id).sort();
    await cluster.services.update('web', (s) => {
      s.task.placement = { constraints: ['node.labels.tier==x'] };
    });
    await cluster.services.waitConverged('web');
    await cluster.advance('30s');
    expect(running(cluster, 'web').map((t) => t.id).sort()).toEqual(before);
  });

  it('a change of the published ports alone rolls every task onto the new ports', async () => {
    const cluster = await simulate({ managers: 1, workers: 2 });
    const port = (publishedPort: number) => ({ endpoint: { ports: [{ targetPort: 80, publishedPort, publishMode: 'host' as const }] } });
    await cluster.services.create(replicated('web', 2, port(8080)));
    await cluster.services.waitConverged('web');
    const before = running(cluster, 'web').map((t) => t.id);
    await cluster.services.update('web', (s) => {
      s.endpoint = port(9090).endpoint;
    });
    await cluster.waitFor(() => cluster.services.inspect('web').updateStatus?.state === 'completed', { timeout: '5m', waitingFor: 'the update to complete' });
    await cluster.services.waitConverged('web');
    const after = running(cluster, 'web');
    expect(after).toHaveLength(2);
    expect(after.some((t) => before.includes(t.id))).toBe(false);
    expect(after.map((t) => t.endpoint?.spec?.ports?.[0]?.publishedPort)).toEqual([9090, 9090]);
  });
});
