import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/api/index.js';
import { nextJobStatus } from '../../src/orchestrator/index.js';
import { FakeCluster } from './support/fake-cluster.js';
import { addNodes, changeNode, createService, flush, report, setup, tasksOf, updateService, type Harness } from './support/harness.js';

function job(total: number, maxConcurrent: number): { mode: { replicatedJob: { maxConcurrent: number; totalCompletions: number } } } {
  return { mode: { replicatedJob: { maxConcurrent, totalCompletions: total } } };
}

const isRunningNow = (t: Task): boolean => t.status.state === 'running';

async function runCluster(h: Harness, fate?: ConstructorParameters<typeof FakeCluster>[0]['fate']): Promise<FakeCluster> {
  await addNodes(h.store, ['n1', 'n2', 'n3']);
  const cluster = new FakeCluster({ store: h.store, clock: h.clock, ...(fate ? { fate } : {}) });
  cluster.start();
  return cluster;
}

describe('jobs orchestrator: replicated jobs', () => {
  it('runs totalCompletions tasks, at most maxConcurrent at a time, in slots 0..total-1', async () => {
    const h = setup();
    const cluster = await runCluster(h);
    const svc = await createService(h.store, { name: 'batch', ...job(10, 3) });
    h.orchestrator.start();
    await flush();
    const first = tasksOf(h.store, svc.id);
    expect(first.map((t) => t.slot).sort()).toEqual([0, 1, 2]);
    expect(first.every((t) => t.desiredState === 'complete' && t.jobIteration === 0)).toBe(true);
    let peak = 0;
    for (let i = 0; i < 100; i++) {
      await h.clock.advanceAsync(100);
      const live = tasksOf(h.store, svc.id).filter((t) => t.status.state !== 'complete');
      peak = Math.max(peak, live.length);
      expect(live.length).toBeLessThanOrEqual(3);
    }
    const done = tasksOf(h.store, svc.id);
    expect(done.filter((t) => t.status.state === 'complete').map((t) => t.slot).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(done).toHaveLength(10);
    expect(peak).toBe(3);
    await h.clock.advanceAsync(10_000);
    expect(tasksOf(h.store, svc.id)).toHaveLength(10); // nothing more once complete
    cluster.stop();
    await h.orchestrator.stop();
  });

  it('retries failed tasks in their slot under the restart policy (any counts as on-failure)', async () => {
    const h = setup();
    let failures = 2;
    const cluster = await runCluster(h, () => (failures-- > 0 ? { runFor: 500, exit: 'failed' } : { runFor: 500, exit: 'complete' }));
    const svc = await createService(h.store, { name: 'batch', ...job(1, 1), task: { restartPolicy: { condition: 'any', delay: '1s' } } });
    h.orchestrator.start();
    await h.clock.advanceAsync(20_000);
    const tasks = tasksOf(h.store, svc.id).sort((a, b) => a.meta.createdAt - b.meta.createdAt);
    expect(tasks.map((t) => t.status.state)).toEqual(['failed', 'failed', 'complete']);
    expect(tasks.every((t) => t.slot === 0)).toBe(true);
    cluster.stop();
    await h.orchestrator.stop();
  });

  it('abandons a slot whose attempts are used up, without retrying it with a fresh task', async () => {
    const h = setup();
    const cluster = await runCluster(h, (t) => (t.slot === 1 ? { runFor: 100, exit: 'failed' } : { runFor: 100, exit: 'complete' }));
    const svc = await createService(h.store, { name: 'batch', ...job(3, 3), task: { restartPolicy: { maxAttempts: 1, delay: 0 } } });
    h.orchestrator.start();
    await h.clock.advanceAsync(60_000);
    const tasks = tasksOf(h.store, svc.id);
    expect(tasks.filter((t) => t.slot === 1).map((t) => t.status.state)).toEqual(['failed', 'failed']);
    expect(tasks.filter((t) => t.status.state === 'complete').map((t) => t.slot).sort()).toEqual([0, 2]);
    expect(tasks).toHaveLength(4);
    cluster.stop();
    await h.orchestrator.stop();
  });

  it('moves a job task off a drained node', async () => {
    const h = setup();
    await addNodes(h.store, ['n1', 'n2']);
    const svc = await createService(h.store, { name: 'batch', ...job(1, 1) });
    h.orchestrator.start();
    await flush();
    const t = tasksOf(h.store, svc.id)[0] as Task;
    await report(h.store, h.clock, t.id, 'running', { nodeId: 'n1' });
    await changeNode(h.store, 'n1', (n) => void (n.spec.availability = 'drain'));
    await flush();
    const all = tasksOf(h.store, svc.id);
    expect(all).toHaveLength(2);
    expect(all.find((x) => x.id === t.id)?.desiredState).toBe('shutdown');
    expect(all.find((x) => x.id !== t.id)).toMatchObject({ slot: 0, jobIteration: 0 });
    await h.orchestrator.stop();
  });

  it('a service update starts a new iteration: the old one’s running tasks get desired remove', async () => {
    const h = setup();
    const cluster = await runCluster(h, () => ({ runFor: 5_000, exit: 'complete' }));
    const svc = await createService(h.store, { name: 'batch', ...job(4, 2) });
    h.orchestrator.start();
    await h.clock.advanceAsync(7_000); // slots 0 and 1 done, 2 and 3 running
    const before = tasksOf(h.store, svc.id);
    expect(before.filter((t) => t.status.state === 'complete')).toHaveLength(2);
    expect(before.filter(isRunningNow)).toHaveLength(2);
    await updateService(h.store, svc.id, (s) => s, (s) => ({ jobStatus: nextJobStatus(s, h.clock.now()) }));
    await flush();
    const after = tasksOf(h.store, svc.id);
    const old = after.filter((t) => t.jobIteration === 0);
    expect(old.filter((t) => t.status.state !== 'complete').every((t) => t.desiredState === 'remove')).toBe(true);
    expect(old.filter((t) => t.status.state === 'complete').every((t) => t.desiredState === 'complete')).toBe(true);
    const fresh = after.filter((t) => t.jobIteration === 1);
    expect(fresh.map((t) => t.slot).sort()).toEqual([0, 1]);
    await h.clock.advanceAsync(30_000);
    const iteration1 = tasksOf(h.store, svc.id).filter((t) => t.jobIteration === 1);
    expect(iteration1.filter((t) => t.status.state === 'complete').map((t) => t.slot).sort()).toEqual([0, 1, 2, 3]);
    cluster.stop();
    await h.orchestrator.stop();
  });

  it('nextJobStatus moves the iteration on', () => {
    expect(nextJobStatus({}, 5)).toEqual({ jobIteration: 1, lastExecution: 5 });
    expect(nextJobStatus({ jobStatus: { jobIteration: 4 } }, 9)).toEqual({ jobIteration: 5, lastExecution: 9 });
  });
});

describe('jobs orchestrator: global jobs', () => {
  it('runs one completion on every node that fits, and on nodes that join later', async () => {
    const h = setup();
    const cluster = await runCluster(h);
    await addNodes(h.store, ['off'], { availability: 'drain' });
    const svc = await createService(h.store, { name: 'sweep', mode: { globalJob: {} } });
    h.orchestrator.start();
    await h.clock.advanceAsync(5_000);
    const done = tasksOf(h.store, svc.id);
    expect(done.map((t) => t.nodeId).sort()).toEqual(['n1', 'n2', 'n3']);
    expect(done.every((t) => t.status.state === 'complete' && t.desiredState === 'complete')).toBe(true);
    await addNodes(h.store, ['n4']);
    await h.clock.advanceAsync(5_000);
    expect(tasksOf(h.store, svc.id).map((t) => t.nodeId).sort()).toEqual(['n1', 'n2', 'n3', 'n4']);
    expect(tasksOf(h.store, svc.id).every((t) => t.status.state === 'complete')).toBe(true);
    cluster.stop();
    await h.orchestrator.stop();
  });

  it('runs again on every node after an update', async () => {
    const h = setup();
    const cluster = await runCluster(h);
    const svc = await createService(h.store, { name: 'sweep', mode: { globalJob: {} } });
    h.orchestrator.start();
    await h.clock.advanceAsync(5_000);
    await updateService(h.store, svc.id, (s) => s, (s) => ({ jobStatus: nextJobStatus(s, h.clock.now()) }));
    await h.clock.advanceAsync(5_000);
    const second = tasksOf(h.store, svc.id).filter((t) => t.jobIteration === 1);
    expect(second.map((t) => t.nodeId).sort()).toEqual(['n1', 'n2', 'n3']);
    expect(second.every((t) => t.status.state === 'complete')).toBe(true);
    cluster.stop();
    await h.orchestrator.stop();
  });
});
