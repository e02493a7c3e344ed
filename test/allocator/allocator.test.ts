import { describe, expect, it } from 'vitest';
import { Allocator, PENDING_MESSAGE } from '../../src/allocator/index.js';
import { flushMicrotasks } from '../../src/runtime/index.js';
import { newStore, service, task } from '../store/fixtures.js';

describe('Allocator', () => {
  it('moves tasks that exist at start and tasks created later from new to pending', async () => {
    const { store, clock } = newStore();
    await store.update((tx) => {
      tx.services.create(service('s1', 'web'));
      tx.tasks.create(task('t1', 's1', '', 1, 'new'));
    });
    const allocator = new Allocator({ store, clock });
    allocator.start();
    await flushMicrotasks();
    await store.update((tx) => tx.tasks.create(task('t2', 's1', '', 2, 'new')));
    await flushMicrotasks();
    const states = store.view((tx) => tx.tasks.all().map((t) => [t.id, t.status.state, t.status.message]));
    expect(states).toEqual([
      ['t1', 'pending', PENDING_MESSAGE],
      ['t2', 'pending', PENDING_MESSAGE],
    ]);
    await allocator.stop();
  });

  it('moves a thousand new tasks in one transaction', async () => {
    const { store, clock } = newStore();
    const allocator = new Allocator({ store, clock });
    allocator.start();
    let commits = 0;
    const sub = store.watch({ kind: 'task' }).subscribe((ev) => {
      if (ev.type === 'commit') commits++;
    });
    await store.update((tx) => {
      for (let i = 1; i <= 1000; i++) tx.tasks.create(task(`t${i}`, 's1', '', i, 'new'));
    });
    await flushMicrotasks();
    expect(store.view((tx) => tx.tasks.find({ state: 'pending' }).length)).toBe(1000);
    expect(commits).toBe(2);
    sub.unsubscribe();
    await allocator.stop();
  });

  it('leaves tasks alone once stopped', async () => {
    const { store, clock } = newStore();
    const allocator = new Allocator({ store, clock });
    allocator.start();
    await allocator.stop();
    await store.update((tx) => tx.tasks.create(task('t1', 's1', '', 1, 'new')));
    await flushMicrotasks();
    expect(store.view((tx) => tx.tasks.get('t1')?.status.state)).toBe('new');
  });
});
