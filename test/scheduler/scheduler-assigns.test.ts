import { afterEach, describe, expect, it } from 'vitest';
import { InvalidStateError } from '../../src/errors/index.js';
import { ASSIGNED_MESSAGE } from '../../src/scheduler/index.js';
import { Store } from '../../src/store/index.js';
import { newNode, newStore, newTask, recordTasks, seed, settle, startScheduler, stopStartedSchedulers, taskIn } from './support.js';

afterEach(stopStartedSchedulers);

describe('Scheduler: pending to assigned', () => {
  it('assigns the tasks pending at start at once, with the status the dispatcher expects', async () => {
    const { store, clock } = newStore();
    await seed(store, [newNode('n1'), newNode('n2')], [newTask('t1', 'web', { slot: 1 }), newTask('t2', 'web', { slot: 2 })]);
    startScheduler({ store, clock });
    await settle();
    const t1 = taskIn(store, 't1');
    const t2 = taskIn(store, 't2');
    expect(new Set([t1.nodeId, t2.nodeId])).toEqual(new Set(['n1', 'n2']));
    expect(t1.status).toEqual({ state: 'assigned', timestamp: clock.now(), message: ASSIGNED_MESSAGE });
  });

  it('schedules tasks desired ready (delayed restarts, updates) and complete (jobs), not those desired shut down or not yet allocated', async () => {
    const { store, clock } = newStore();
    await seed(
      store,
      [newNode('n1')],
      [
        newTask('ready', 'a', { desired: 'ready' }),
        newTask('job', 'b', { desired: 'complete' }),
        newTask('stopped', 'c', { desired: 'shutdown' }),
        newTask('removed', 'd', { desired: 'remove' }),
        newTask('new', 'e', { state: 'new' }),
      ],
    );
    startScheduler({ store, clock });
    await settle();
    expect(taskIn(store, 'ready').status.state).toBe('assigned');
    expect(taskIn(store, 'job').status.state).toBe('assigned');
    for (const id of ['stopped', 'removed']) expect(taskIn(store, id)).toMatchObject({ nodeId: '', status: { state: 'pending' } });
    expect(taskIn(store, 'new')).toMatchObject({ nodeId: '', status: { state: 'new' } });
  });

  it('debounces: a pass 50 ms after the last relevant commit', async () => {
    const { store, clock } = newStore();
    await seed(store, [newNode('n1')]);
    startScheduler({ store, clock });
    await settle();
    await store.update((tx) => tx.tasks.create(newTask('t1', 'web')));
    await clock.advanceAsync(30);
    await store.update((tx) => tx.tasks.create(newTask('t2', 'web', { slot: 2 })));
    await clock.advanceAsync(49);
    expect(taskIn(store, 't1').status.state).toBe('pending');
    await clock.advanceAsync(1);
    expect(taskIn(store, 't1').status.state).toBe('assigned');
    expect(taskIn(store, 't2').status.state).toBe('assigned');
  });

  it('debounces at most 1 s under a steady stream of commits', async () => {
    const { store, clock } = newStore();
    await seed(store, [newNode('n1')]);
    startScheduler({ store, clock });
    await settle();
    const first = clock.now();
    await store.update((tx) => tx.tasks.create(newTask('t0', 'web')));
    let assignedAt: number | undefined;
    for (let i = 1; i <= 40 && assignedAt === undefined; i++) {
      await clock.advanceAsync(40);
      if (taskIn(store, 't0').status.state === 'assigned') assignedAt = clock.now();
      else await store.update((tx) => tx.tasks.create(newTask(`t${i}`, 'web', { slot: i + 1 })));
    }
    expect(assignedAt).toBeDefined();
    expect((assignedAt as number) - first).toBeLessThanOrEqual(1000);
    expect((assignedAt as number) - first).toBeGreaterThan(900);
  });

  it('commits one store transaction per batch of tasks', async () => {
    const { store, clock } = newStore();
    await seed(store, [newNode('n1'), newNode('n2'), newNode('n3')]);
    const scheduler = startScheduler({ store, clock });
    await settle();
    await store.update((tx) => {
      for (let i = 1; i <= 50; i++) tx.tasks.create(newTask(`w${i}`, 'web', { slot: i }));
    });
    await settle();
    const rec = recordTasks(store);
    const result = await scheduler.scheduleOnce();
    await settle();
    expect(result).toMatchObject({ assigned: 50, transactions: 1 });
    expect(rec.commits).toHaveLength(1);
    expect(rec.updates).toHaveLength(50);
    rec.stop();
  });

  it('splits a batch into transactions of at most transactionSize tasks', async () => {
    const { store, clock } = newStore();
    await seed(store, [newNode('n1')], Array.from({ length: 45 }, (_, i) => newTask(`w${i}`, 'web', { slot: i + 1 })));
    const rec = recordTasks(store);
    startScheduler({ store, clock, transactionSize: 20 });
    await settle();
    expect(rec.commits).toHaveLength(3);
    expect(rec.updates.filter((t) => t.status.state === 'assigned')).toHaveLength(45);
    rec.stop();
  });

  it('drops a decision whose task changed meanwhile, and never assigns a task desired shut down', async () => {
    const { store, clock } = newStore();
    await seed(store, [newNode('n1')], [newTask('t1', 'web')]);
    const scheduler = startScheduler({ store, clock });
    await settle();
    await store.update((tx) => tx.tasks.create(newTask('t2', 'web', { slot: 2 })));
    await settle();
    // Changed in the store, but the scheduler has not seen the event yet when it plans.
    void store.update((tx) => tx.tasks.update('t2', (d) => void (d.desiredState = 'shutdown')));
    const result = await scheduler.scheduleOnce();
    expect(result).toMatchObject({ assigned: 0, conflicts: 1 });
    await settle();
    await clock.advanceAsync(1000);
    expect(taskIn(store, 't2')).toMatchObject({ nodeId: '', desiredState: 'shutdown', status: { state: 'pending' } });
  });

  it('drops a decision for a node that changed meanwhile, then places the task elsewhere', async () => {
    const { store, clock } = newStore();
    await seed(store, [newNode('a'), newNode('b')], [newTask('x', 'other', { nodeId: 'b', state: 'running' })]);
    const scheduler = startScheduler({ store, clock });
    await settle();
    await store.update((tx) => tx.tasks.create(newTask('t1', 'web')));
    await settle();
    void store.update((tx) => tx.nodes.update('a', (d) => void (d.spec.availability = 'drain')));
    const result = await scheduler.scheduleOnce();
    expect(result).toMatchObject({ assigned: 0, conflicts: 1 });
    await settle();
    await clock.advanceAsync(100);
    expect(taskIn(store, 't1')).toMatchObject({ nodeId: 'b', status: { state: 'assigned' } });
  });

  it('refuses to start twice and stops writing once stopped', async () => {
    const { store, clock } = newStore();
    await seed(store, [newNode('n1')]);
    const scheduler = startScheduler({ store, clock });
    expect(() => scheduler.start()).toThrow(InvalidStateError);
    await scheduler.stop();
    await store.update((tx) => tx.tasks.create(newTask('t1', 'web')));
    await settle();
    await clock.advanceAsync(2000);
    expect(taskIn(store, 't1').status.state).toBe('pending');
    await expect(scheduler.scheduleOnce()).rejects.toThrow(InvalidStateError);
  });

  it('halves its transactions when the store refuses them as too large, and gets everything assigned', async () => {
    const { clock } = newStore();
    const store = new Store({ clock, maxTransactionBytes: 16_000 });
    await seed(store, [newNode('n1')]);
    await store.batch((b) => {
      for (let i = 1; i <= 200; i++) void b.update((tx) => tx.tasks.create(newTask(`t${i}`, 'web', { slot: i })));
    }, { batchSize: 20 });
    const warnings: string[] = [];
    startScheduler({ store, clock, watchBufferSize: 20, logger: { warn: (m) => warnings.push(m) } });
    await clock.advanceAsync(1000);
    expect(warnings.some((w) => w.includes('halving'))).toBe(true);
    expect(store.view((tx) => tx.tasks.find({ state: 'assigned' }).length)).toBe(200);
  });

  it('keeps up with bursts larger than the store watch default, without re-reading the store', async () => {
    const { store, clock } = newStore();
    await seed(store, [newNode('n1'), newNode('n2')]);
    const warnings: string[] = [];
    startScheduler({ store, clock, logger: { warn: (m) => warnings.push(m) } });
    await settle();
    // 15,000 task creations committed without yielding: past the store's default of 10,000
    // undelivered events, which used to make every large burst a full re-read (quadratic).
    const writes: Promise<unknown>[] = [];
    for (let b = 0; b < 3; b++) {
      writes.push(
        store.update((tx) => {
          for (let i = 1; i <= 5_000; i++) tx.tasks.create(newTask(`t${b}-${i}`, 'web', { slot: b * 5_000 + i }));
        }),
      );
    }
    await Promise.all(writes);
    await settle();
    await clock.advanceAsync(100);
    await settle();
    expect(warnings.filter((w) => w.includes('re-reading'))).toEqual([]);
    const assigned = store.view((tx) => tx.tasks.all().filter((t) => t.status.state === 'assigned').length);
    expect(assigned).toBe(15_000);
  });

  it('re-reads the store after falling behind its watch, and catches up', async () => {
    const { clock } = newStore();
    const store = new Store({ clock, watchBufferSize: 20 });
    await seed(store, [newNode('n1')]);
    const warnings: string[] = [];
    startScheduler({ store, clock, watchBufferSize: 20, logger: { warn: (m) => warnings.push(m) } });
    await settle();
    // 60 single-task commits without yielding: more than the watcher may buffer.
    const writes: Promise<unknown>[] = [];
    for (let i = 1; i <= 60; i++) writes.push(store.update((tx) => tx.tasks.create(newTask(`t${i}`, 'web', { slot: i }))));
    await Promise.all(writes);
    await settle();
    await clock.advanceAsync(100);
    expect(warnings.some((w) => w.includes('re-reading'))).toBe(true);
    const assigned = store.view((tx) => tx.tasks.all().filter((t) => t.status.state === 'assigned').length);
    expect(assigned).toBe(60);
  });
});
