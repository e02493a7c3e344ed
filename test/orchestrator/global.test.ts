import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/api/index.js';
import { addNodes, changeNode, createService, flush, node, report, setup, tasksOf, updateService, type Harness } from './support/harness.js';
import { advance } from './support/slot.js';

const GLOBAL = { mode: { global: {} } } as const;

function liveByNode(h: Harness, serviceId: string): Record<string, Task[]> {
  const out: Record<string, Task[]> = {};
  for (const t of tasksOf(h.store, serviceId)) {
    if (!['new', 'pending', 'assigned', 'ready', 'running'].includes(t.desiredState)) continue;
    (out[t.nodeId] ??= []).push(t);
  }
  return out;
}

describe('global orchestrator', () => {
  it('runs one pre-assigned task on every node that is ready or unknown, active and accepted', async () => {
    const h = setup();
    await addNodes(h.store, ['n1', 'n2']);
    await addNodes(h.store, ['down'], { state: 'down' });
    await addNodes(h.store, ['drained'], { availability: 'drain' });
    await addNodes(h.store, ['paused'], { availability: 'pause' });
    await addNodes(h.store, ['unknown'], { state: 'unknown' });
    await addNodes(h.store, ['gone'], { state: 'disconnected' });
    await h.store.update((tx) => tx.nodes.create({ ...node('pending'), spec: { ...node('pending').spec, membership: 'pending' } }));
    const svc = await createService(h.store, { name: 'agent', ...GLOBAL });
    h.orchestrator.start();
    await flush();
    const tasks = tasksOf(h.store, svc.id);
    expect(tasks.map((t) => t.nodeId).sort()).toEqual(['n1', 'n2', 'unknown']);
    expect(tasks.every((t) => t.slot === 0 && t.desiredState === 'running' && t.status.state === 'new')).toBe(true);
    await h.orchestrator.stop();
  });

  it('gives a joining node its task, and shuts down the task of a node that drains, goes down or is removed', async () => {
    const h = setup();
    await addNodes(h.store, ['n1', 'n2', 'n3']);
    const svc = await createService(h.store, { name: 'agent', ...GLOBAL });
    h.orchestrator.start();
    await flush();
    await addNodes(h.store, ['n4']);
    await flush();
    expect(Object.keys(liveByNode(h, svc.id)).sort()).toEqual(['n1', 'n2', 'n3', 'n4']);
    await changeNode(h.store, 'n1', (n) => void (n.spec.availability = 'drain'));
    await changeNode(h.store, 'n2', (n) => void (n.status.state = 'down'));
    await h.store.update((tx) => tx.nodes.delete('n3'));
    await flush();
    expect(Object.keys(liveByNode(h, svc.id))).toEqual(['n4']);
    const shut = tasksOf(h.store, svc.id).filter((t) => t.desiredState === 'shutdown');
    expect(shut.map((t) => t.nodeId).sort()).toEqual(['n1', 'n2', 'n3']);
    // Coming back: a new task (the old one stays shut down).
    await changeNode(h.store, 'n1', (n) => void (n.spec.availability = 'active'));
    await changeNode(h.store, 'n2', (n) => void (n.status.state = 'ready'));
    await flush();
    expect(Object.keys(liveByNode(h, svc.id)).sort()).toEqual(['n1', 'n2', 'n4']);
    expect(tasksOf(h.store, svc.id)).toHaveLength(6);
    await h.orchestrator.stop();
  });

  it('follows placement constraints as node labels change', async () => {
    const h = setup();
    await addNodes(h.store, ['n1'], { labels: { disk: 'ssd' } });
    await addNodes(h.store, ['n2'], { labels: { disk: 'hdd' } });
    const svc = await createService(h.store, { name: 'db', ...GLOBAL, task: { placement: { constraints: ['node.labels.disk==ssd'] } } });
    h.orchestrator.start();
    await flush();
    expect(Object.keys(liveByNode(h, svc.id))).toEqual(['n1']);
    await changeNode(h.store, 'n1', (n) => void (n.spec.labels = { disk: 'hdd' }));
    await changeNode(h.store, 'n2', (n) => void (n.spec.labels = { disk: 'ssd' }));
    await flush();
    expect(Object.keys(liveByNode(h, svc.id))).toEqual(['n2']);
    await h.orchestrator.stop();
  });

  it('shuts down tasks on nodes that stop matching after a constraint change', async () => {
    const h = setup();
    await addNodes(h.store, ['n1'], { labels: { zone: 'a' } });
    await addNodes(h.store, ['n2'], { labels: { zone: 'b' } });
    const svc = await createService(h.store, { name: 'db', ...GLOBAL });
    h.orchestrator.start();
    await flush();
    await updateService(h.store, svc.id, (s) => ({ ...s, task: { ...s.task, placement: { constraints: ['node.labels.zone==b'] } } }));
    await flush();
    expect(Object.keys(liveByNode(h, svc.id))).toEqual(['n2']);
    await h.orchestrator.stop();
  });

  it('a paused node keeps its task but gets no new one', async () => {
    const h = setup();
    await addNodes(h.store, ['n1', 'n2']);
    const svc = await createService(h.store, { name: 'agent', ...GLOBAL, task: { restartPolicy: { delay: 0 } } });
    h.orchestrator.start();
    await flush();
    await changeNode(h.store, 'n1', (n) => void (n.spec.availability = 'pause'));
    await flush();
    expect(Object.keys(liveByNode(h, svc.id)).sort()).toEqual(['n1', 'n2']);
    const onN1 = liveByNode(h, svc.id).n1?.[0] as Task;
    await report(h.store, h.clock, onN1.id, 'running');
    await report(h.store, h.clock, onN1.id, 'failed');
    await flush();
    expect(Object.keys(liveByNode(h, svc.id))).toEqual(['n2']); // not replaced on a paused node
    const other = await createService(h.store, { name: 'other', ...GLOBAL });
    await flush();
    expect(Object.keys(liveByNode(h, other.id))).toEqual(['n2']);
    await h.orchestrator.stop();
  });

  it('restarts a failed task on the same node', async () => {
    const h = setup();
    await addNodes(h.store, ['n1', 'n2']);
    const svc = await createService(h.store, { name: 'agent', ...GLOBAL, task: { restartPolicy: { delay: '2s' } } });
    h.orchestrator.start();
    await flush();
    const t = liveByNode(h, svc.id).n1?.[0] as Task;
    await report(h.store, h.clock, t.id, 'running');
    await report(h.store, h.clock, t.id, 'failed');
    await flush();
    const replacement = liveByNode(h, svc.id).n1?.[0] as Task;
    expect(replacement.id).not.toBe(t.id);
    expect(replacement).toMatchObject({ nodeId: 'n1', slot: 0, desiredState: 'ready' });
    await advance(h, 2_000);
    expect(h.store.view((tx) => tx.tasks.get(replacement.id)?.desiredState)).toBe('running');
    await h.orchestrator.stop();
  });

  it('a task that exits under restart condition none leaves its node done until the spec changes', async () => {
    const h = setup();
    await addNodes(h.store, ['n1']);
    const svc = await createService(h.store, { name: 'once', ...GLOBAL, task: { restartPolicy: { condition: 'none' } } });
    h.orchestrator.start();
    await flush();
    const t = tasksOf(h.store, svc.id)[0] as Task;
    await report(h.store, h.clock, t.id, 'running');
    await report(h.store, h.clock, t.id, 'complete');
    await flush();
    await changeNode(h.store, 'n1', (n) => void (n.spec.labels = { touched: 'yes' }));
    await flush();
    expect(tasksOf(h.store, svc.id)).toHaveLength(1);
    await h.orchestrator.stop();
  });

  it('hands tasks to the updater with one slot per node when the spec changes', async () => {
    const h = setup();
    await addNodes(h.store, ['n1', 'n2', 'n3']);
    const svc = await createService(h.store, { name: 'agent', ...GLOBAL });
    h.orchestrator.start();
    await flush();
    expect(h.updater.callsFor(svc.id)).toHaveLength(1); // once at start
    await updateService(h.store, svc.id, (s) => ({ ...s, task: { ...s.task, container: { image: 'nginx:1.28' } } }));
    await flush();
    const calls = h.updater.callsFor(svc.id);
    expect(calls).toHaveLength(2);
    const last = calls[1];
    expect(last?.specVersion).toBe(2);
    expect(last?.slots.map((s) => s.map((t) => t.nodeId))).toEqual([['n1'], ['n2'], ['n3']]);
    expect(tasksOf(h.store, svc.id)).toHaveLength(3); // the orchestrator itself replaced nothing
    await h.orchestrator.stop();
  });

  it('replaces an outdated task at once when its node becomes active again', async () => {
    const h = setup();
    await addNodes(h.store, ['n1', 'n2']);
    const svc = await createService(h.store, { name: 'agent', ...GLOBAL });
    h.orchestrator.start();
    await flush();
    await changeNode(h.store, 'n1', (n) => void (n.spec.availability = 'pause'));
    await updateService(h.store, svc.id, (s) => ({ ...s, task: { ...s.task, container: { image: 'nginx:1.28' } } }));
    await flush();
    const old = liveByNode(h, svc.id).n1?.[0] as Task;
    expect(old.specVersion).toBe(1);
    await changeNode(h.store, 'n1', (n) => void (n.spec.availability = 'active'));
    await flush();
    const live = liveByNode(h, svc.id).n1 ?? [];
    expect(live.map((t) => t.specVersion)).toEqual([2]);
    await h.orchestrator.stop();
  });
});
