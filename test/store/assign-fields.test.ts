import { describe, expect, it } from 'vitest';
import { ValidationError, VersionConflictError } from '../../src/errors/index.js';
import { assignFields } from '../../src/store/index.js';
import { newStore, task } from './fixtures.js';

describe('assignFields (the draft-free update of top-level fields)', () => {
  it('writes what the same update through a draft writes, indexes and events included', async () => {
    const viaDraft = newStore();
    const viaAssign = newStore();
    for (const { store } of [viaDraft, viaAssign]) await store.update((tx) => tx.tasks.create(task('t1', 's1', 'n1', 1, 'assigned')));
    const status = { state: 'running' as const, timestamp: 5, message: 'started' };
    await viaDraft.store.update((tx) => tx.tasks.update('t1', (d) => void Object.assign(d, { nodeId: 'n2', status: { ...status } })));
    const events: unknown[] = [];
    viaAssign.store.watch({ kind: 'task' }).subscribe((e) => events.push(e));
    const staged = await viaAssign.store.update((tx) => assignFields(tx.tasks, 't1', { nodeId: 'n2', status: { ...status } }));
    expect(staged.meta.version).toBe(1);
    const [a, b] = [viaDraft, viaAssign].map(({ store }) => store.view((tx) => tx.tasks.getOrThrow('t1')));
    expect(b).toEqual(a);
    expect(Object.isFrozen(b)).toBe(true);
    expect(Object.isFrozen(b?.status)).toBe(true);
    expect(viaAssign.store.view((tx) => tx.tasks.find({ nodeId: 'n2' }).map((t) => t.id))).toEqual(['t1']);
    expect(viaAssign.store.view((tx) => tx.tasks.find({ nodeId: 'n1' }))).toEqual([]);
    await Promise.resolve();
    expect(events).toMatchObject([{ type: 'update', object: { nodeId: 'n2' }, old: { nodeId: 'n1' } }, { type: 'commit', index: 2 }]);
  });

  it('writes nothing when every field already holds the value given', async () => {
    const { store } = newStore();
    await store.update((tx) => tx.tasks.create(task('t1', 's1', 'n1', 1)));
    await store.update((tx) => assignFields(tx.tasks, 't1', { nodeId: 'n1' }));
    expect(store.index).toBe(1);
  });

  it('checks the expected version and refuses to change the id or meta', async () => {
    const { store } = newStore();
    await store.update((tx) => tx.tasks.create(task('t1', 's1', 'n1', 1)));
    await expect(store.update((tx) => assignFields(tx.tasks, 't1', { nodeId: 'n2' }, { expectedVersion: 7 }))).rejects.toBeInstanceOf(VersionConflictError);
    await expect(store.update((tx) => assignFields(tx.tasks, 't1', { id: 't2' }))).rejects.toBeInstanceOf(ValidationError);
    expect(store.index).toBe(1);
  });
});
