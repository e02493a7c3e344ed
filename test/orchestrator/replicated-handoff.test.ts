import { describe, expect, it } from 'vitest';
import { FakeCluster } from './support/fake-cluster.js';
import { addNodes, changeNode, createService, flush, runnableSlots, setup, tasksOf, updateService } from './support/harness.js';
import { advance } from './support/slot.js';

describe('replicated orchestrator: hand-off to the update supervisor', () => {
  it('hands every service’s runnable slots over once at start, then on each spec change only', async () => {
    const h = setup();
    const svc = await createService(h.store, { name: 'web', mode: { replicated: { replicas: 2 } } });
    await h.store.update((tx) =>
      tx.tasks.create({
        id: 'old1',
        serviceId: svc.id,
        serviceName: 'web',
        slot: 1,
        nodeId: '',
        spec: svc.spec.task,
        specVersion: 1,
        status: { state: 'running', timestamp: 0, message: '' },
        desiredState: 'running',
      }),
    );
    h.orchestrator.start();
    await flush();
    expect(h.updater.callsFor(svc.id).map((c) => [c.specVersion, c.slots.map((s) => s.map((t) => t.id))])).toEqual([[1, [['old1']]]]);
    // A write that changes no spec (the updater's own status) hands nothing over.
    await h.store.update((tx) => tx.services.update(svc.id, (s) => void (s.updateStatus = { state: 'completed' })));
    await flush();
    expect(h.updater.callsFor(svc.id)).toHaveLength(1);
    await updateService(h.store, svc.id, (s) => ({ ...s, task: { ...s.task, container: { image: 'nginx:1.28' } } }));
    await flush();
    const calls = h.updater.callsFor(svc.id);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.specVersion).toBe(2);
    expect(calls[1]?.slots.map((s) => s[0]?.slot)).toEqual([1, 2]);
    expect(tasksOf(h.store, svc.id)).toHaveLength(2); // replacing dirty tasks is the updater's job
    await h.orchestrator.stop();
    expect(h.updater.stopped).toBe(true);
  });

  it('cancels the update of a deleted service', async () => {
    const h = setup();
    const svc = await createService(h.store, { name: 'web', mode: { replicated: { replicas: 1 } } });
    h.orchestrator.start();
    await flush();
    await h.store.update((tx) => tx.services.delete(svc.id));
    await flush();
    expect(h.updater.cancelled).toEqual([svc.id]);
    await h.orchestrator.stop();
  });
});

describe('replicated orchestrator: node failures, end to end', () => {
  it('moves tasks off a drained node, and off a node that goes down, keeping the count', async () => {
    const h = setup({ seed: 3 });
    await addNodes(h.store, ['n1', 'n2', 'n3']);
    const cluster = new FakeCluster({ store: h.store, clock: h.clock });
    cluster.start();
    const svc = await createService(h.store, { name: 'web', mode: { replicated: { replicas: 6 } }, task: { restartPolicy: { delay: '1s' } } });
    h.orchestrator.start();
    await advance(h, 1_000);
    const on = (n: string): number => tasksOf(h.store, svc.id).filter((t) => t.nodeId === n && t.desiredState === 'running' && t.status.state === 'running').length;
    expect([on('n1'), on('n2'), on('n3')]).toEqual([2, 2, 2]);
    await changeNode(h.store, 'n1', (n) => void (n.spec.availability = 'drain'));
    await advance(h, 5_000);
    expect(on('n1')).toBe(0);
    expect(on('n2') + on('n3')).toBe(6);
    await changeNode(h.store, 'n2', (n) => void (n.status.state = 'down'));
    await advance(h, 5_000);
    expect(on('n3')).toBe(6);
    expect(runnableSlots(h.store, svc.id).size).toBe(6);
    for (const slot of runnableSlots(h.store, svc.id).values()) expect(slot).toHaveLength(1);
    cluster.stop();
    await h.orchestrator.stop();
  });
});
