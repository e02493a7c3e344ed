import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/api/index.js';
import { REAPER_INTERVAL_MS } from '../../src/orchestrator/index.js';
import { createService, flush, report, setup, tasksOf, updateService, type Harness } from './support/harness.js';
import { advance, end, newest, oneRunningTask, slotHistory, start } from './support/slot.js';

async function setRetention(h: Harness, limit: number): Promise<void> {
  await h.store.update((tx) => {
    const existing = tx.clusters.find({ name: 'default' })[0];
    if (existing === undefined) tx.clusters.create({ id: 'cluster', spec: { name: 'default', orchestration: { taskHistoryRetentionLimit: limit } } });
    else tx.clusters.update(existing.id, (c) => void (c.spec.orchestration = { taskHistoryRetentionLimit: limit }));
  });
}

/** Crashes the slot's newest task `n` times (restart delay 0), running each replacement. */
async function crash(h: Harness, serviceId: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await end(h, newest(h, serviceId).id);
    await start(h, newest(h, serviceId).id);
  }
}

describe('task reaper', () => {
  it('keeps at most 5 tasks per slot by default, deleting the oldest history first', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { delay: 0 });
    await crash(h, service.id, 9);
    const beforeReap = slotHistory(h, service.id);
    expect(beforeReap.length).toBeGreaterThan(5);
    await advance(h, REAPER_INTERVAL_MS);
    const history = slotHistory(h, service.id);
    expect(history).toHaveLength(5);
    expect(history.map((t) => t.id)).toEqual(beforeReap.slice(-5).map((t) => t.id));
    expect(history.some((t) => t.id === task.id)).toBe(false);
    expect(history.at(-1)?.status.state).toBe('running');
    await h.orchestrator.stop();
  });

  it('cleans every 250 ms, not at once', async () => {
    const h = setup();
    const { service } = await oneRunningTask(h, { delay: 0 });
    await crash(h, service.id, 6);
    await advance(h, 0);
    const count = slotHistory(h, service.id).length;
    expect(count).toBe(7);
    await advance(h, REAPER_INTERVAL_MS);
    expect(slotHistory(h, service.id)).toHaveLength(5);
    await h.orchestrator.stop();
  });

  it('follows the cluster retention limit, raised to maxAttempts + 1', async () => {
    const h = setup();
    await setRetention(h, 1);
    const plain = await oneRunningTask(h, { delay: 0 }, { name: 'plain' });
    await crash(h, plain.service.id, 3);
    const limited = await createService(h.store, { name: 'limited', mode: { replicated: { replicas: 1 } }, task: { restartPolicy: { delay: 0, maxAttempts: 3 } } });
    await flush();
    await start(h, newest(h, limited.id).id);
    await crash(h, limited.id, 3);
    await advance(h, REAPER_INTERVAL_MS);
    expect(slotHistory(h, plain.service.id)).toHaveLength(1);
    expect(slotHistory(h, limited.id)).toHaveLength(4);
    await h.orchestrator.stop();
  });

  it('a negative limit keeps all history', async () => {
    const h = setup();
    await setRetention(h, -1);
    const { service } = await oneRunningTask(h, { delay: 0 });
    await crash(h, service.id, 8);
    await advance(h, 1_000);
    expect(slotHistory(h, service.id)).toHaveLength(9);
    await h.orchestrator.stop();
  });

  it('deletes scaled-down tasks once they stopped, and never-run ones at once', async () => {
    const h = setup();
    const { service } = await oneRunningTask(h, {}, { replicas: 3 });
    await updateService(h.store, service.id, (s) => ({ ...s, mode: { replicated: { replicas: 1 } } }));
    await advance(h, REAPER_INTERVAL_MS);
    // Slot 1 runs; slots 2 and 3 never got past `new`: deleted.
    expect(tasksOf(h.store, service.id).map((t) => t.slot)).toEqual([1]);
    await updateService(h.store, service.id, (s) => ({ ...s, mode: { replicated: { replicas: 0 } } }));
    await advance(h, REAPER_INTERVAL_MS);
    const [running] = tasksOf(h.store, service.id);
    expect(running?.desiredState).toBe('remove'); // still running: kept
    await report(h.store, h.clock, (running as Task).id, 'shutdown');
    await advance(h, REAPER_INTERVAL_MS);
    expect(tasksOf(h.store, service.id)).toEqual([]);
    await h.orchestrator.stop();
  });

  it('deleting a service asks its tasks to go, then deletes them once stopped', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, {}, { replicas: 2 });
    await h.store.update((tx) => tx.services.delete(service.id));
    await advance(h, REAPER_INTERVAL_MS);
    const left = tasksOf(h.store, service.id);
    expect(left.map((t) => [t.id, t.desiredState])).toEqual([[task.id, 'remove']]); // the unscheduled one is gone
    expect(h.updater.cancelled).toContain(service.id);
    await report(h.store, h.clock, task.id, 'shutdown');
    await advance(h, REAPER_INTERVAL_MS);
    expect(tasksOf(h.store, service.id)).toEqual([]);
    await h.orchestrator.stop();
  });

  it('cleans up after a service deleted while no leader ran', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h);
    await h.orchestrator.stop();
    await h.store.update((tx) => tx.services.delete(service.id));
    h.orchestrator = h.newOrchestrator();
    h.orchestrator.start();
    await flush();
    await flush();
    expect(tasksOf(h.store, service.id).map((t) => t.desiredState)).toEqual(['remove']);
    await report(h.store, h.clock, task.id, 'shutdown');
    await advance(h, REAPER_INTERVAL_MS);
    expect(tasksOf(h.store, service.id)).toEqual([]);
    await h.orchestrator.stop();
  });

  it('keeps history per node for global services', async () => {
    const h = setup();
    await h.store.update((tx) => {
      for (const id of ['n1', 'n2']) tx.nodes.create({ id, spec: { role: 'worker', membership: 'accepted', availability: 'active' }, role: 'worker', status: { state: 'ready' } });
    });
    await setRetention(h, 2);
    const svc = await createService(h.store, { name: 'agent', mode: { global: {} }, task: { restartPolicy: { delay: 0 } } });
    h.orchestrator.start();
    await flush();
    for (let i = 0; i < 4; i++) {
      for (const t of tasksOf(h.store, svc.id).filter((x) => x.desiredState === 'running' && x.nodeId === 'n1')) {
        await report(h.store, h.clock, t.id, 'running');
        await report(h.store, h.clock, t.id, 'failed');
        await flush();
      }
    }
    await advance(h, REAPER_INTERVAL_MS);
    const byNode = (n: string): number => tasksOf(h.store, svc.id).filter((t) => t.nodeId === n).length;
    expect(byNode('n1')).toBe(2);
    expect(byNode('n2')).toBe(1);
    await h.orchestrator.stop();
  });

  it('never deletes a job’s record of completion, even with retention 0', async () => {
    const h = setup();
    await setRetention(h, 0);
    const svc = await createService(h.store, { name: 'batch', mode: { replicatedJob: { maxConcurrent: 2, totalCompletions: 2 } } });
    h.orchestrator.start();
    await flush();
    for (const t of tasksOf(h.store, svc.id)) {
      await report(h.store, h.clock, t.id, 'running', { nodeId: 'n1' });
      await report(h.store, h.clock, t.id, 'complete');
    }
    await advance(h, 10_000);
    expect(tasksOf(h.store, svc.id).map((t) => t.status.state)).toEqual(['complete', 'complete']);
    await h.orchestrator.stop();
  });

  it('cleans at once, without waiting for its timer, past 1000 dirty entries', async () => {
    const h = setup();
    const svc = await createService(h.store, { name: 'wide', mode: { replicated: { replicas: 1200 } } });
    h.orchestrator.start();
    await flush();
    await updateService(h.store, svc.id, (s) => ({ ...s, mode: { replicated: { replicas: 0 } } }));
    await flush();
    await flush();
    expect(tasksOf(h.store, svc.id)).toEqual([]); // never-run tasks asked to go: deleted with no time passing
    await h.orchestrator.stop();
  });
});

