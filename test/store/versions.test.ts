import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError, ValidationError, VersionConflictError } from '../../src/errors/index.js';
import { DeferredProposer, newStore, service, task } from './fixtures.js';

describe('object versions and timestamps', () => {
  it('stamps meta.version with the commit index and the times with the clock', async () => {
    const { store, clock } = newStore();
    await store.update((tx) => tx.services.create(service('s1', 'web')));
    await store.update((tx) => tx.services.create(service('s2', 'db')));
    clock.advance(500);
    await store.update((tx) => tx.services.update('s1', (s) => void (s.specVersion = 2)));
    const [s1, s2] = store.view((tx) => [tx.services.getOrThrow('s1'), tx.services.getOrThrow('s2')]);
    expect(s1.meta).toEqual({ version: 3, createdAt: 1000, updatedAt: 1500 });
    expect(s2.meta).toEqual({ version: 2, createdAt: 1000, updatedAt: 1000 });
    expect(store.index).toBe(3);
  });

  it('ignores a meta passed to create or changed in a draft', async () => {
    const { store } = newStore();
    await store.update((tx) => tx.services.create({ ...service('s1', 'web'), meta: { version: 99, createdAt: 5, updatedAt: 5 } }));
    await store.update((tx) =>
      tx.services.update('s1', (s) => {
        s.meta.version = 42;
        s.specVersion = 7;
      }),
    );
    expect(store.view((tx) => tx.services.getOrThrow('s1').meta)).toEqual({ version: 2, createdAt: 1000, updatedAt: 1000 });
  });

  it('refuses an update or delete that names a stale version, and says which', async () => {
    const { store } = newStore();
    await store.update((tx) => tx.services.create(service('s1', 'web')));
    const read = store.view((tx) => tx.services.getOrThrow('s1'));
    await store.update((tx) => tx.services.update('s1', (s) => void (s.specVersion = 2)));
    const conflict = store.update((tx) => tx.services.update('s1', (s) => void (s.specVersion = 3), { expectedVersion: read.meta.version }));
    await expect(conflict).rejects.toBeInstanceOf(VersionConflictError);
    await expect(conflict).rejects.toMatchObject({ kind: 'service', id: 's1', expected: 1, actual: 2 });
    await expect(store.update((tx) => tx.services.delete('s1', { expectedVersion: 1 }))).rejects.toBeInstanceOf(VersionConflictError);
    await store.update((tx) => tx.services.update('s1', (s) => void (s.specVersion = 3), { expectedVersion: 2 }));
    expect(store.view((tx) => tx.services.getOrThrow('s1').specVersion)).toBe(3);
  });

  it('rejects, at commit, the second of two proposals made from the same version', async () => {
    const proposer = new DeferredProposer();
    const { store } = newStore({ proposer });
    const created = store.update((tx) => tx.tasks.create(task('t1', 's1', 'n1', 1)));
    proposer.commitNext();
    await created;
    const first = store.update((tx) => tx.tasks.update('t1', (t) => void (t.status.state = 'failed')));
    const second = store.update((tx) => tx.tasks.update('t1', (t) => void (t.desiredState = 'shutdown')));
    expect(store.view((tx) => tx.tasks.getOrThrow('t1').status.state)).toBe('running');
    const firstIndex = proposer.commitNext();
    proposer.commitNext();
    await first;
    await expect(second).rejects.toBeInstanceOf(VersionConflictError);
    const t1 = store.view((tx) => tx.tasks.getOrThrow('t1'));
    expect(t1.status.state).toBe('failed');
    expect(t1.desiredState).toBe('running');
    expect(t1.meta.version).toBe(firstIndex);
    expect(store.index).toBe(firstIndex);
  });

  it('refuses to change an id', async () => {
    const { store } = newStore();
    await store.update((tx) => tx.services.create(service('s1', 'web')));
    await expect(store.update((tx) => tx.services.update('s1', (s) => void ((s as { id: string }).id = 'x')))).rejects.toBeInstanceOf(ValidationError);
    expect(store.view((tx) => tx.services.all().map((s) => s.id))).toEqual(['s1']);
  });
});

describe('missing and duplicate ids', () => {
  it('reports NotFound for get-or-throw, update and delete of an unknown id', async () => {
    const { store } = newStore();
    expect(store.view((tx) => tx.tasks.get('nope'))).toBeUndefined();
    expect(() => store.view((tx) => tx.tasks.getOrThrow('nope'))).toThrow(NotFoundError);
    await expect(store.update((tx) => tx.tasks.update('nope', () => {}))).rejects.toMatchObject({ code: 'NOT_FOUND', kind: 'task', key: 'nope' });
    await expect(store.update((tx) => tx.secrets.delete('nope'))).rejects.toMatchObject({ code: 'NOT_FOUND', kind: 'secret', key: 'nope' });
  });

  it('reports NotFound for an object deleted earlier in the same transaction', async () => {
    const { store } = newStore();
    await store.update((tx) => tx.tasks.create(task('t1', 's1', 'n1', 1)));
    await expect(
      store.update((tx) => {
        tx.tasks.delete('t1');
        tx.tasks.update('t1', () => {});
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(store.view((tx) => tx.tasks.get('t1'))).toBeDefined();
  });

  it('refuses to create an id that exists, and an object without an id', async () => {
    const { store } = newStore();
    await store.update((tx) => tx.tasks.create(task('t1', 's1', 'n1', 1)));
    await expect(store.update((tx) => tx.tasks.create(task('t1', 's2', 'n2', 2)))).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(store.update((tx) => tx.tasks.create(task('', 's2', 'n2', 2)))).rejects.toBeInstanceOf(ValidationError);
    expect(store.view((tx) => tx.tasks.getOrThrow('t1').serviceId)).toBe('s1');
  });
});
