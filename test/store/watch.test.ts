import { describe, expect, it } from 'vitest';
import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { ClosedError, ValidationError } from '../../src/errors/index.js';
import type { StoreEvent } from '../../src/store/index.js';
import { DeferredProposer, newStore, record, service, task, tick } from './fixtures.js';

const brief = (e: StoreEvent) => (e.type === 'commit' ? `commit@${e.index}` : `${e.type} ${e.kind} ${e.object.id}@${e.index}`);

describe('watch', () => {
  it('emits each transaction’s changes in commit order, each followed by a commit marker', async () => {
    const { store } = newStore();
    const events = record(store.watch());
    await store.update((tx) => {
      tx.services.create(service('s1', 'web'));
      tx.tasks.create(task('t1', 's1', 'n1', 1));
    });
    await store.update((tx) => tx.tasks.update('t1', (t) => void (t.status.state = 'failed')));
    await store.update((tx) => {
      tx.tasks.delete('t1');
      tx.services.delete('s1');
    });
    await tick();
    expect(events.values.map(brief)).toEqual([
      'create service s1@1',
      'create task t1@1',
      'commit@1',
      'update task t1@2',
      'commit@2',
      'delete task t1@3',
      'delete service s1@3',
      'commit@3',
    ]);
  });

  it('carries the old and new objects, as stored', async () => {
    const { store } = newStore();
    const events = record(store.watch({ kind: 'task' }));
    await store.update((tx) => tx.tasks.create(task('t1', 's1', 'n1', 1)));
    await store.update((tx) => tx.tasks.update('t1', (t) => void (t.status.state = 'failed')));
    const stored = store.view((tx) => tx.tasks.getOrThrow('t1'));
    await store.update((tx) => tx.tasks.delete('t1'));
    await tick();
    const [created, , updated, , deleted] = events.values;
    expect(created).toMatchObject({ type: 'create', old: undefined });
    expect(updated).toMatchObject({ type: 'update', object: stored, old: created?.type === 'create' ? created.object : null });
    expect(updated?.type === 'update' && updated.old.status.state).toBe('running');
    expect(deleted).toMatchObject({ type: 'delete', object: stored, old: stored });
    expect(Object.isFrozen(updated)).toBe(true);
  });

  it('delivers after the write, on a microtask, never inside it', async () => {
    const { store } = newStore();
    const events = record(store.watch());
    const p = store.update((tx) => tx.services.create(service('s1', 'web')));
    expect(events.values).toEqual([]);
    await p;
    await tick();
    expect(events.values).toHaveLength(2);
  });

  it('emits only after commit when a proposer defers it, at the commit index', async () => {
    const proposer = new DeferredProposer();
    const { store } = newStore({ proposer });
    const events = record(store.watch());
    const p = store.update((tx) => tx.services.create(service('s1', 'web')));
    await tick();
    expect(events.values).toEqual([]);
    const index = proposer.commitNext();
    await p;
    await tick();
    expect(events.values.map(brief)).toEqual([`create service s1@${index}`, `commit@${index}`]);
  });

  it('filters by kind, by selector (matching before or after) and by predicate; markers follow only delivered changes', async () => {
    const { store } = newStore();
    const onN1 = record(store.watch({ kind: 'task', selector: { nodeId: 'n1' } }));
    const failed = record(store.watch({ kind: 'task', where: (e) => e.object.status.state === 'failed' }));
    const services = record(store.watch({ kind: ['service'] }));
    const everyCommit = record(store.watch({ kind: 'service', allCommits: true }));
    await store.update((tx) => tx.tasks.create(task('t1', 's1', 'n1', 1)));
    await store.update((tx) => tx.tasks.create(task('t2', 's1', 'n2', 2)));
    await store.update((tx) => tx.tasks.update('t1', (t) => void (t.nodeId = 'n2')));
    await store.update((tx) => tx.tasks.update('t2', (t) => void (t.status.state = 'failed')));
    await store.update((tx) => tx.services.create(service('s1', 'web')));
    await tick();
    expect(onN1.values.map(brief)).toEqual(['create task t1@1', 'commit@1', 'update task t1@3', 'commit@3']);
    expect(failed.values.map(brief)).toEqual(['update task t2@4', 'commit@4']);
    expect(services.values.map(brief)).toEqual(['create service s1@5', 'commit@5']);
    expect(everyCommit.values.map(brief)).toEqual(['commit@1', 'commit@2', 'commit@3', 'commit@4', 'create service s1@5', 'commit@5']);
  });

  it('stops delivering when unsubscribed, and works with rxjs operators', async () => {
    const { store } = newStore();
    const firstTwo = firstValueFrom(store.watch({ kind: 'task' }).pipe(filter((e) => e.type !== 'commit'), take(2), toArray()));
    const events = record(store.watch());
    const written = store.update((tx) => tx.tasks.create(task('t1', 's1', 'n1', 1)));
    // Committed but not yet delivered: unsubscribing now drops it.
    events.subscription?.unsubscribe();
    await written;
    await store.update((tx) => tx.tasks.create(task('t2', 's1', 'n1', 2)));
    await tick();
    expect(events.values).toEqual([]);
    expect((await firstTwo).map(brief)).toEqual(['create task t1@1', 'create task t2@2']);
  });

  it('refuses a selector without exactly one kind, and unknown kinds', () => {
    const { store } = newStore();
    expect(() => store.watch({ selector: { id: 'x' } })).toThrow(ValidationError);
    expect(() => store.watch({ kind: ['task', 'node'], selector: { id: 'x' } })).toThrow(ValidationError);
    expect(() => store.watch({ kind: 'tusk' as never })).toThrow(ValidationError);
  });

  it('ends a watcher whose predicate throws, with that error', async () => {
    const { store } = newStore();
    const boom = new Error('predicate');
    const events = record(store.watch({ where: () => { throw boom; } }));
    await store.update((tx) => tx.tasks.create(task('t1', 's1', 'n1', 1)));
    await tick();
    expect(events.error).toBe(boom);
  });

  it('completes watchers on close after delivering what was committed, and refuses new ones', async () => {
    const { store } = newStore();
    const events = record(store.watch());
    await store.update((tx) => tx.tasks.create(task('t1', 's1', 'n1', 1)));
    store.close();
    await tick();
    expect(events.values.map(brief)).toEqual(['create task t1@1', 'commit@1']);
    expect(events.completed).toBe(true);
    const late = record(store.watch());
    expect(late.error).toBeInstanceOf(ClosedError);
    await expect(store.update((tx) => tx.tasks.delete('t1'))).rejects.toBeInstanceOf(ClosedError);
  });

  it('delivers the same sequence on every run (no timers, no randomness)', async () => {
    const runOnce = async () => {
      const { store } = newStore();
      const events = record(store.watch());
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 50; i++) writes.push(store.update((tx) => tx.tasks.create(task(`t${i}`, 's', `n${i % 3}`, i))));
      await Promise.all(writes);
      await tick();
      return events.values.map(brief);
    };
    expect(await runOnce()).toEqual(await runOnce());
  });
});
