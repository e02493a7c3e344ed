import { afterEach, describe, expect, it } from 'vitest';
import { CONFIRMED_MESSAGE, MAX_RECENT_FAILURES } from '../../src/scheduler/index.js';
import { GiB, newNode, newTask, settle, setupScheduler as setup, stopStartedSchedulers, taskIn } from './support.js';

afterEach(stopStartedSchedulers);

describe('Scheduler: preassigned (global) tasks', () => {
  it('confirms a task that fits on its node, without moving it', async () => {
    const { store, clock } = await setup([newNode('n1'), newNode('n2')], [newTask('g1', 'agent', { nodeId: 'n2', slot: 0 })]);
    expect(taskIn(store, 'g1')).toMatchObject({ nodeId: 'n2', status: { state: 'assigned', message: CONFIRMED_MESSAGE, timestamp: clock.now() } });
  });

  it('leaves a task that does not fit on its node pending with the reason, never elsewhere, until it fits', async () => {
    const { store, clock } = await setup(
      [newNode('n1', { memoryBytes: 4 * GiB }), newNode('n2', { memoryBytes: GiB })],
      [newTask('db', 'db', { nodeId: 'n2', state: 'running', memoryBytes: GiB }), newTask('g1', 'agent', { nodeId: 'n2', slot: 0, memoryBytes: GiB })],
    );
    expect(taskIn(store, 'g1')).toMatchObject({ nodeId: 'n2', status: { state: 'pending', err: 'no suitable node (insufficient memory on 1 node)' } });
    await store.update((tx) => tx.tasks.update('db', (d) => void (d.status.state = 'complete')));
    await clock.advanceAsync(50);
    expect(taskIn(store, 'g1')).toMatchObject({ nodeId: 'n2', status: { state: 'assigned' } });
  });

  it('checks preassigned tasks before placing others, so they get the room first', async () => {
    const { store } = await setup(
      [newNode('n1', { memoryBytes: GiB })],
      [newTask('a-replica', 'a', { memoryBytes: GiB }), newTask('g1', 'agent', { nodeId: 'n1', slot: 0, memoryBytes: GiB })],
    );
    expect(taskIn(store, 'g1').status.state).toBe('assigned');
    expect(taskIn(store, 'a-replica').status.err).toBe('no suitable node (insufficient memory on 1 node)');
  });

  it('checks the filters on the node: a drained node keeps its global task pending', async () => {
    const { store } = await setup([newNode('n1', { availability: 'drain' })], [newTask('g1', 'agent', { nodeId: 'n1', slot: 0 })]);
    expect(taskIn(store, 'g1')).toMatchObject({ nodeId: 'n1', status: { state: 'pending', err: 'no suitable node (1 node not available for new tasks)' } });
  });
});

describe('Scheduler: recent failures', () => {
  it('tries a node where the service failed 5 times in 5 minutes last', async () => {
    const { store, clock } = await setup([newNode('a'), newNode('b')], [newTask('x1', 'web', { nodeId: 'b', state: 'running' })]);
    // Five tasks of web fail on a.
    for (let i = 0; i < MAX_RECENT_FAILURES; i++) {
      await store.update((tx) => tx.tasks.create(newTask(`f${i}`, 'web', { nodeId: 'a', state: 'running', slot: 10 + i })));
      await store.update((tx) => tx.tasks.update(`f${i}`, (d) => void (d.status.state = 'failed')));
    }
    await settle();
    await store.update((tx) => tx.tasks.create(newTask('t1', 'web', { slot: 2 })));
    await clock.advanceAsync(50);
    // b already has one web task and a none, yet b is chosen.
    expect(taskIn(store, 't1').nodeId).toBe('b');
    // Five minutes later a is preferred again.
    await clock.advanceAsync(5 * 60_000);
    await store.update((tx) => tx.tasks.create(newTask('t2', 'web', { slot: 3 })));
    await clock.advanceAsync(50);
    expect(taskIn(store, 't2').nodeId).toBe('a');
  });

  it('does not count failures of preassigned tasks: the scheduler did not choose their node', async () => {
    const { store, clock } = await setup([newNode('a'), newNode('b')], [newTask('x1', 'web', { nodeId: 'b', state: 'running' })]);
    for (let i = 0; i < MAX_RECENT_FAILURES; i++) {
      await store.update((tx) => tx.tasks.create(newTask(`g${i}`, 'web', { nodeId: 'a', slot: 0 })));
      await clock.advanceAsync(50);
      expect(taskIn(store, `g${i}`).status.state).toBe('assigned');
      await store.update((tx) => tx.tasks.update(`g${i}`, (d) => void (d.status.state = 'rejected')));
    }
    await store.update((tx) => tx.tasks.create(newTask('t1', 'web', { slot: 2 })));
    await clock.advanceAsync(50);
    expect(taskIn(store, 't1').nodeId).toBe('a');
  });
});
