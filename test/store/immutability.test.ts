import { describe, expect, it } from 'vitest';
import { isDraft } from 'immer';
import type { Task } from '../../src/api/index.js';
import { decodeTransaction, encodeTransaction } from '../../src/store/index.js';
import { newStore, record, secret, service, task, tick } from './fixtures.js';

function expectDeepFrozen(value: unknown, path = 'object'): void {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return;
  expect(Object.isFrozen(value), `${path} is frozen`).toBe(true);
  for (const [k, v] of Object.entries(value)) expectDeepFrozen(v, `${path}.${k}`);
}

describe('immutable objects', () => {
  it('freezes objects deeply wherever they come out: create, get, find, events, snapshot', async () => {
    const { store } = newStore();
    const events = record(store.watch());
    const created = await store.update((tx) => tx.services.create(service('s1', 'web', { tier: 'front' })));
    await store.update((tx) => tx.services.update('s1', (s) => void (s.spec.labels = { tier: 'back', extra: 'new' })));
    await tick();
    expectDeepFrozen(created);
    const stored = store.view((tx) => tx.services.getOrThrow('s1'));
    expectDeepFrozen(stored);
    expectDeepFrozen(store.view((tx) => tx.services.find({ name: 'web' })));
    events.values.forEach((e, i) => expectDeepFrozen(e, `event ${i}`));
    expect(events.values).toHaveLength(4);
    expectDeepFrozen(store.snapshot());
  });

  it('throws on mutation of a stored object (strict mode) and leaves the store as it was', async () => {
    const { store } = newStore();
    await store.update((tx) => tx.tasks.create(task('t1', 's', 'n1', 1)));
    const t = store.view((tx) => tx.tasks.getOrThrow('t1')) as { -readonly [K in keyof Task]: Task[K] };
    expect(() => {
      t.nodeId = 'n2';
    }).toThrow(TypeError);
    expect(() => {
      (t.status as { state: string }).state = 'failed';
    }).toThrow(TypeError);
    expect(store.view((tx) => tx.tasks.find({ nodeId: 'n1' }).length)).toBe(1);
  });

  it('freezes what create was given in place, instead of copying it', async () => {
    const { store } = newStore();
    const input = task('t1', 's', 'n1', 1);
    const stored = await store.update((tx) => tx.tasks.create(input));
    expect(Object.isFrozen(input.status)).toBe(true);
    expect(stored.status).toBe(input.status);
  });

  it('hands update callbacks an immer draft and shares what they did not touch', async () => {
    const { store } = newStore();
    await store.update((tx) => tx.tasks.create(task('t1', 's', 'n1', 1)));
    const before = store.view((tx) => tx.tasks.getOrThrow('t1'));
    let wasDraft = false;
    const after = await store.update((tx) =>
      tx.tasks.update('t1', (d) => {
        wasDraft = isDraft(d) && isDraft(d.status);
        d.status.state = 'failed';
        d.status.message = 'exit 1';
      }),
    );
    expect(wasDraft).toBe(true);
    expect(after.status).toEqual({ state: 'failed', timestamp: 0, message: 'exit 1' });
    expect(after.spec).toBe(before.spec);
    expect(before.status.state).toBe('running');
    expect(isDraft(after)).toBe(false);
  });

  it('accepts update callbacks that return a value (as arrow functions do)', async () => {
    const { store } = newStore();
    await store.update((tx) => tx.tasks.create(task('t1', 's', 'n1', 1)));
    await store.update((tx) => tx.tasks.update('t1', (d) => (d.slot = 5) as unknown as void));
    expect(store.view((tx) => tx.tasks.getOrThrow('t1').slot)).toBe(5);
  });

  it('keeps Uint8Array data as bytes through create and update', async () => {
    const { store } = newStore();
    await store.update((tx) => tx.secrets.create(secret('x', 'key', new Uint8Array([1, 2, 3]))));
    await store.update((tx) => tx.secrets.update('x', (s) => void (s.spec.data = new Uint8Array([4, 5]))));
    const data = store.view((tx) => tx.secrets.getOrThrow('x').spec.data);
    expect(data).toBeInstanceOf(Uint8Array);
    expect([...data]).toEqual([4, 5]);
  });

  it('commits plain objects: the prototype, keys and key order of what was written, through a replica too', async () => {
    const { store } = newStore();
    const input = task('t1', 's', 'n1', 1);
    await store.update((tx) => tx.tasks.create(input));
    const staged = await store.update((tx) => tx.tasks.update('t1', (d) => void (d.status.state = 'failed')));
    const committed = store.view((tx) => tx.tasks.getOrThrow('t1'));
    expect(committed).not.toBe(staged);
    expect(Object.getPrototypeOf(committed)).toBe(Object.prototype);
    expect(committed.constructor).toBe(Object);
    expect(Object.keys(committed)).toEqual([...Object.keys(input), 'meta']);
    expect(Reflect.ownKeys(committed)).toEqual(Object.keys(committed));
    expect(committed).toStrictEqual({ ...staged, meta: { ...staged.meta, version: 2 } });

    const replica = newStore().store;
    replica.applyTransaction(decodeTransaction(encodeTransaction({ actions: [{ op: 'create', kind: 'task', object: committed }] })), 1);
    const copy = replica.view((tx) => tx.tasks.getOrThrow('t1'));
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(copy).toStrictEqual({ ...committed, meta: { ...committed.meta, version: 1 } });
    expectDeepFrozen(copy);
  });
});
