import { describe, expect, it } from 'vitest';
import type { NewObject } from '../../src/store/index.js';
import { FakeCluster } from './support/fake-cluster.js';
import { addNodes, createService, flush, runnableSlots, setup, tasksOf, updateService } from './support/harness.js';

function replicas(n: number): { mode: { replicated: { replicas: number } } } {
  return { mode: { replicated: { replicas: n } } };
}

describe('replicated orchestrator: replica count', () => {
  it('creates one task per replica, in slots 1..n, wanted running', async () => {
    const h = setup();
    const svc = await createService(h.store, { name: 'web', ...replicas(3) });
    h.orchestrator.start();
    await flush();
    const tasks = tasksOf(h.store, svc.id);
    expect(tasks.map((t) => t.slot).sort()).toEqual([1, 2, 3]);
    expect(tasks.every((t) => t.desiredState === 'running' && t.status.state === 'new' && t.specVersion === 1)).toBe(true);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(3);
    await h.orchestrator.stop();
  });

  it('creates tasks for services created while it runs, and for scale-ups', async () => {
    const h = setup();
    h.orchestrator.start();
    const svc = await createService(h.store, { name: 'web', ...replicas(2) });
    await flush();
    expect(runnableSlots(h.store, svc.id).size).toBe(2);
    await updateService(h.store, svc.id, (s) => ({ ...s, ...replicas(5) }));
    await flush();
    expect([...runnableSlots(h.store, svc.id).keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    await h.orchestrator.stop();
  });

  it('scales up into the lowest free slot numbers, reusing dead slots', async () => {
    const h = setup();
    const svc = await createService(h.store, { name: 'web', ...replicas(5) });
    const base = (id: string, slot: number, desiredState: 'running' | 'shutdown'): NewObject<'task'> => ({
      id,
      serviceId: svc.id,
      serviceName: 'web',
      slot,
      nodeId: '',
      spec: svc.spec.task,
      specVersion: 1,
      status: { state: desiredState === 'running' ? 'running' : 'failed', timestamp: 0, message: '' },
      desiredState,
    });
    await h.store.update((tx) => {
      tx.tasks.create(base('dead1', 1, 'shutdown'));
      tx.tasks.create(base('live2', 2, 'running'));
      tx.tasks.create(base('live4', 4, 'running'));
    });
    h.orchestrator.start();
    await flush();
    const slots = runnableSlots(h.store, svc.id);
    expect([...slots.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(slots.get(2)?.map((t) => t.id)).toEqual(['live2']);
    expect(slots.get(1)?.[0]?.id).not.toBe('dead1');
    await h.orchestrator.stop();
  });

  it('reaches and keeps the replica count end to end while tasks crash (seed 7)', async () => {
    const h = setup({ seed: 7 });
    await addNodes(h.store, ['n1', 'n2', 'n3']);
    const cluster = new FakeCluster({
      store: h.store,
      clock: h.clock,
      // Every task of spec version 1 crashes after 30 s; replacements do too, until t+100 s.
      fate: () => (h.clock.now() < 1_100_000 ? { runFor: 30_000, exit: 'failed' } : 'forever'),
    });
    const svc = await createService(h.store, { name: 'web', ...replicas(4), task: { restartPolicy: { delay: '1s' } } });
    cluster.start();
    h.orchestrator.start();
    const maxRunnable: number[] = [];
    for (let i = 0; i < 200; i++) {
      await h.clock.advanceAsync(1000);
      const slots = runnableSlots(h.store, svc.id);
      maxRunnable.push(Math.max(...[...slots.values()].map((s) => s.length)));
      expect(slots.size).toBe(4);
    }
    expect(Math.max(...maxRunnable)).toBe(1);
    const running = tasksOf(h.store, svc.id).filter((t) => t.status.state === 'running' && t.desiredState === 'running');
    expect(running.map((t) => t.slot).sort()).toEqual([1, 2, 3, 4]);
    expect(tasksOf(h.store, svc.id).filter((t) => t.status.state === 'failed').length).toBeGreaterThan(4);
    cluster.stop();
    await h.orchestrator.stop();
  });

  it('writes a thousand replicas in one transaction', async () => {
    const h = setup();
    let commits = 0;
    let creates = 0;
    const sub = h.store.watch({ kind: 'task' }).subscribe((ev) => {
      if (ev.type === 'commit') commits++;
      if (ev.type === 'create') creates++;
    });
    await createService(h.store, { name: 'web', ...replicas(1000) });
    h.orchestrator.start();
    await flush();
    expect(creates).toBe(1000);
    expect(commits).toBe(1);
    sub.unsubscribe();
    await h.orchestrator.stop();
  });

  it('splits larger scale-ups into batches of batchSize', async () => {
    const h = setup({ orchestrator: { batchSize: 250 } });
    let commits = 0;
    const sub = h.store.watch({ kind: 'task' }).subscribe((ev) => {
      if (ev.type === 'commit') commits++;
    });
    const svc = await createService(h.store, { name: 'web', ...replicas(1000) });
    h.orchestrator.start();
    await flush();
    expect(runnableSlots(h.store, svc.id).size).toBe(1000);
    expect(commits).toBe(4);
    sub.unsubscribe();
    await h.orchestrator.stop();
  });
});
