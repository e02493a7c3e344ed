import { describe, expect, it } from 'vitest';
import type { Labels, Task } from '../../../src/api/index.js';
import { CONSTRAINT_ENFORCER_ERRORS, CONSTRAINT_ENFORCER_MESSAGE, ConstraintEnforcer } from '../../../src/orchestrator/constraint-enforcer/index.js';
import { flushMicrotasks, VirtualClock } from '../../../src/runtime/index.js';
import { Store, type NewObject, type Proposer } from '../../../src/store/index.js';
import { fakeNode } from '../update/support/fake-pipeline.js';
import { Scenario } from '../update/support/harness.js';

function placed(id: string, nodeId: string, options: { constraints?: string[]; cpus?: number; state?: Task['status']['state'] } = {}): NewObject<'task'> {
  return {
    id,
    serviceId: 'svc',
    slot: 1,
    nodeId,
    spec: {
      container: { image: 'app:1' },
      ...(options.constraints ? { placement: { constraints: options.constraints } } : {}),
      ...(options.cpus !== undefined ? { resources: { reservations: { nanoCpus: options.cpus * 1e9 } } } : {}),
    },
    specVersion: 1,
    serviceName: 'web',
    status: { state: options.state ?? 'running', timestamp: 0, message: 'started' },
    desiredState: 'running',
  };
}

async function setup(nodes: NewObject<'node'>[], tasks: NewObject<'task'>[]): Promise<{ store: Store; clock: VirtualClock; enforcer: ConstraintEnforcer; task(id: string): Task | undefined }> {
  const clock = new VirtualClock({ start: 5000 });
  const store = new Store({ clock });
  await store.update((tx) => {
    for (const n of nodes) tx.nodes.create(n);
    for (const [i, t] of tasks.entries()) {
      clock.advance(1); // distinct creation times: task order is creation order
      tx.tasks.create({ ...t, slot: i + 1 });
    }
  });
  const enforcer = new ConstraintEnforcer({ store, clock });
  return { store, clock, enforcer, task: (id) => store.view((tx) => tx.tasks.get(id)) };
}

async function setLabels(store: Store, nodeId: string, labels: Labels): Promise<void> {
  await store.update((tx) => tx.nodes.update(nodeId, (d) => void (d.spec.labels = { ...labels })));
  await flushMicrotasks();
}

describe('ConstraintEnforcer', () => {
  it('rejects a task whose node lost the label its constraint needs', async () => {
    const { store, enforcer, task } = await setup([fakeNode('n1', { zone: 'a' })], [placed('t1', 'n1', { constraints: ['node.labels.zone==a'] }), placed('t2', 'n1')]);
    enforcer.start();
    await flushMicrotasks();
    expect(task('t1')?.status.state).toBe('running');
    await setLabels(store, 'n1', {});
    expect(task('t1')).toMatchObject({
      desiredState: 'running',
      status: { state: 'rejected', message: CONSTRAINT_ENFORCER_MESSAGE, err: CONSTRAINT_ENFORCER_ERRORS.constraints, timestamp: 5002 },
    });
    expect(task('t2')?.status.state).toBe('running');
    await enforcer.stop();
  });

  it('rejects the newest tasks when the node shrinks below their reservations', async () => {
    const { store, enforcer, task } = await setup([fakeNode('n1')], [placed('t1', 'n1', { cpus: 1 }), placed('t2', 'n1', { cpus: 1 }), placed('t3', 'n1', { cpus: 1 })]);
    enforcer.start();
    await store.update((tx) => tx.nodes.update('n1', (d) => void (d.description = { ...d.description!, resources: { nanoCpus: 2e9, memoryBytes: 2 ** 30 } })));
    await flushMicrotasks();
    expect(['t1', 't2', 't3'].map((id) => task(id)?.status.state)).toEqual(['running', 'running', 'rejected']);
    expect(task('t3')?.status.err).toBe(CONSTRAINT_ENFORCER_ERRORS.resources);
    await enforcer.stop();
  });

  it('leaves fitting tasks alone when a node changes in ways that still fit', async () => {
    const { store, enforcer, task } = await setup(
      [fakeNode('n1', { zone: 'a', disk: 'ssd' })],
      [placed('t1', 'n1', { constraints: ['node.labels.zone==a'], cpus: 2 }), placed('t2', 'n1', { constraints: ['node.labels.disk!=hdd'], cpus: 2 })],
    );
    enforcer.start();
    await setLabels(store, 'n1', { zone: 'a', disk: 'nvme', extra: 'x' });
    expect([task('t1'), task('t2')].map((t) => [t?.status.state, t?.desiredState, t?.meta.version])).toEqual([
      ['running', 'running', 1],
      ['running', 'running', 1],
    ]);
    await enforcer.stop();
  });

  it('rejects tasks that already do not fit when it starts', async () => {
    const { enforcer, task } = await setup([fakeNode('n1', {})], [placed('t1', 'n1', { constraints: ['node.role==manager'] })]);
    enforcer.start();
    await flushMicrotasks();
    expect(task('t1')?.status.state).toBe('rejected');
    await enforcer.stop();
  });

  it('leaves paused and drained nodes, and tasks already ending, to others', async () => {
    const { store, enforcer, task } = await setup(
      [fakeNode('n1', { zone: 'a' }), fakeNode('n2', { zone: 'a' })],
      [placed('t1', 'n1', { constraints: ['node.labels.zone==a'] }), placed('t2', 'n2', { constraints: ['node.labels.zone==a'], state: 'failed' })],
    );
    enforcer.start();
    await store.update((tx) => tx.nodes.update('n1', (d) => void (d.spec = { ...d.spec, availability: 'pause', labels: {} })));
    await setLabels(store, 'n2', {});
    expect(task('t1')?.status.state).toBe('running');
    expect(task('t2')?.status.state).toBe('failed');
    await enforcer.stop();
  });

  it('ignores node changes once stopped', async () => {
    const { store, enforcer, task } = await setup([fakeNode('n1', { zone: 'a' })], [placed('t1', 'n1', { constraints: ['node.labels.zone==a'] })]);
    enforcer.start();
    await enforcer.stop();
    await setLabels(store, 'n1', {});
    expect(task('t1')?.status.state).toBe('running');
  });
});

describe('ConstraintEnforcer stopping', () => {
  it('resolves stop only once the rejections it was writing are committed', async () => {
    const clock = new VirtualClock({ start: 5000 });
    // Commits take 10 ms of virtual time, as through raft.
    const slow: Proposer = {
      propose: (tx, target) =>
        new Promise((resolve, reject) =>
          clock.setTimeout(() => {
            try {
              const index = target.index + 1;
              target.applyTransaction(tx, index);
              resolve(index);
            } catch (err) {
              reject(err);
            }
          }, 10),
        ),
    };
    const store = new Store({ clock, proposer: slow });
    const seeded = store.update((tx) => {
      tx.nodes.create(fakeNode('n1', {}));
      tx.tasks.create(placed('t1', 'n1', { constraints: ['node.labels.zone==a'] }));
    });
    await clock.settle(seeded);
    const enforcer = new ConstraintEnforcer({ store, clock });
    enforcer.start(); // t1 already does not fit: its rejection is being written
    let stopped = false;
    const stopping = enforcer.stop().then(() => (stopped = true));
    await flushMicrotasks();
    expect(stopped).toBe(false);
    await clock.settle(stopping);
    expect(store.view((tx) => tx.tasks.get('t1')?.status.state)).toBe('rejected');
  });
});

describe('ConstraintEnforcer with an orchestrator and a scheduler', () => {
  it('gets the rejected task replaced on a node that fits', async () => {
    const s = await Scenario.create({ replicas: 2, nodes: [fakeNode('n1', { zone: 'a' }), fakeNode('n2', { zone: 'a' }), fakeNode('n3', { zone: 'b' })], constraints: ['node.labels.zone==a'] });
    const enforcer = new ConstraintEnforcer({ store: s.store, clock: s.clock });
    enforcer.start();
    const onN1 = s.running().find((t) => t.nodeId === 'n1');
    expect(onN1).toBeDefined();
    await s.store.update((tx) => tx.nodes.update('n3', (d) => void (d.spec.labels = { zone: 'a' })));
    await s.store.update((tx) => tx.nodes.update('n1', (d) => void (d.spec.labels = { zone: 'b' })));
    await s.until(() => s.running().length === 2 && s.running().every((t) => t.nodeId !== 'n1'), '1m');
    expect(s.tasks().find((t) => t.id === onN1?.id)?.status.state).toBe('rejected');
    expect(s.running().map((t) => t.nodeId).sort()).toEqual(['n2', 'n3']);
    await enforcer.stop();
    await s.stop();
  });
});
