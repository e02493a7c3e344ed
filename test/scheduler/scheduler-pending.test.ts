import { afterEach, describe, expect, it } from 'vitest';
import { GiB, newNode, newTask, recordTasks, settle, setupScheduler as setup, stopStartedSchedulers, taskIn } from './support.js';

afterEach(stopStartedSchedulers);

describe('Scheduler: tasks that fit nowhere', () => {
  it('stay pending with the reasons, and are placed as soon as a node is added', async () => {
    const { store, clock } = await setup(
      [newNode('small1', { memoryBytes: GiB }), newNode('small2', { memoryBytes: GiB }), newNode('small3', { memoryBytes: GiB }), newNode('drained', { availability: 'drain' }), newNode('paused', { availability: 'pause' })],
      [newTask('t1', 'web', { memoryBytes: 2 * GiB })],
    );
    const reason = 'no suitable node (insufficient memory on 3 nodes; 2 nodes not available for new tasks)';
    expect(taskIn(store, 't1')).toMatchObject({ nodeId: '', status: { state: 'pending', err: reason, message: reason, timestamp: clock.now() } });
    await store.update((tx) => tx.nodes.create(newNode('big', { memoryBytes: 4 * GiB })));
    await clock.advanceAsync(50);
    expect(taskIn(store, 't1')).toMatchObject({ nodeId: 'big', status: { state: 'assigned' } });
    expect(taskIn(store, 't1').status.err).toBeUndefined();
  });

  it('are placed as soon as a task leaving the running set frees resources', async () => {
    const { store, clock } = await setup(
      [newNode('n1', { memoryBytes: 2 * GiB })],
      [newTask('old', 'db', { nodeId: 'n1', state: 'running', memoryBytes: 2 * GiB }), newTask('t1', 'web', { memoryBytes: GiB })],
    );
    expect(taskIn(store, 't1').status.err).toBe('no suitable node (insufficient memory on 1 node)');
    // Desired shutdown alone frees nothing: the task still runs.
    await store.update((tx) => tx.tasks.update('old', (d) => void (d.desiredState = 'shutdown')));
    await clock.advanceAsync(100);
    expect(taskIn(store, 't1').status.state).toBe('pending');
    await store.update((tx) => tx.tasks.update('old', (d) => void (d.status.state = 'shutdown')));
    await clock.advanceAsync(50);
    expect(taskIn(store, 't1')).toMatchObject({ nodeId: 'n1', status: { state: 'assigned' } });
  });

  it('are placed as soon as a task holding resources is deleted', async () => {
    const { store, clock } = await setup(
      [newNode('n1', { memoryBytes: 2 * GiB })],
      [newTask('old', 'db', { nodeId: 'n1', state: 'assigned', memoryBytes: 2 * GiB }), newTask('t1', 'web', { memoryBytes: GiB })],
    );
    expect(taskIn(store, 't1').status.state).toBe('pending');
    await store.update((tx) => tx.tasks.delete('old'));
    await clock.advanceAsync(50);
    expect(taskIn(store, 't1').nodeId).toBe('n1');
  });

  it('are placed as soon as a node becomes active or ready again', async () => {
    const { store, clock } = await setup([newNode('n1', { availability: 'drain' }), newNode('n2', { state: 'down' })], [newTask('t1', 'web'), newTask('t2', 'api', { placement: { constraints: ['node.id==n2'] } })]);
    expect(taskIn(store, 't1').status.err).toBe('no suitable node (1 node not ready; 1 node not available for new tasks)');
    await store.update((tx) => tx.nodes.update('n1', (d) => void (d.spec.availability = 'active')));
    await clock.advanceAsync(50);
    expect(taskIn(store, 't1').nodeId).toBe('n1');
    expect(taskIn(store, 't2').status.state).toBe('pending');
    await store.update((tx) => tx.nodes.update('n2', (d) => void (d.status.state = 'ready')));
    await clock.advanceAsync(50);
    expect(taskIn(store, 't2').nodeId).toBe('n2');
  });

  it('are not rewritten while the reason stays the same, and are when it changes', async () => {
    const { store, clock, scheduler } = await setup([newNode('n1', { memoryBytes: GiB })], [newTask('t1', 'web', { memoryBytes: 2 * GiB })]);
    const rec = recordTasks(store);
    const before = taskIn(store, 't1');
    // Other activity keeps triggering passes.
    for (let i = 0; i < 5; i++) {
      await store.update((tx) => tx.nodes.update('n1', (d) => void (d.status = { ...d.status, message: `heartbeat ${i}` })));
      await clock.advanceAsync(60);
    }
    await scheduler.scheduleOnce();
    await settle();
    expect(rec.updates).toEqual([]);
    expect(taskIn(store, 't1')).toBe(before);
    await store.update((tx) => tx.nodes.create(newNode('n2', { memoryBytes: GiB })));
    await clock.advanceAsync(60);
    expect(rec.updates).toHaveLength(1);
    expect(taskIn(store, 't1').status.err).toBe('no suitable node (insufficient memory on 2 nodes)');
    rec.stop();
  });

  it('a pending task needs no help from a later event when capacity exists elsewhere in its group', async () => {
    const { store, clock } = await setup([newNode('n1', { memoryBytes: 2 * GiB })], Array.from({ length: 3 }, (_, i) => newTask(`t${i}`, 'web', { slot: i + 1, memoryBytes: GiB })));
    const states = () => ['t0', 't1', 't2'].map((id) => taskIn(store, id).status.state);
    expect(states()).toEqual(['assigned', 'assigned', 'pending']);
    await store.update((tx) => tx.tasks.update('t0', (d) => void (d.status.state = 'failed')));
    await clock.advanceAsync(50);
    expect(states()).toEqual(['failed', 'assigned', 'assigned']);
  });
});
