import { describe, expect, it } from 'vitest';
import { InvalidStateError } from '../../src/errors/index.js';
import type { Store } from '../../src/store/index.js';
import { network, newStore, node, record, service, task, tick } from './fixtures.js';

async function seed(store: Store): Promise<void> {
  await store.update((tx) => {
    tx.nodes.create(node('n1', 'host-1'));
    tx.nodes.create(node('n2', 'host-2'));
    tx.services.create(service('s1', 'web', { tier: 'front' }));
    tx.networks.create(network('net1', 'appnet'));
    tx.tasks.create(task('t1', 's1', 'n1', 1));
    tx.tasks.create(task('t2', 's1', 'n2', 2));
  });
}

/** Everything observable through the public read API, indexes included. */
function observe(store: Store): unknown {
  return store.view((tx) => ({
    index: tx.index,
    all: [tx.nodes.all(), tx.services.all(), tx.tasks.all(), tx.networks.all()].map((list) => [...list].sort((a, b) => a.id.localeCompare(b.id))),
    byNode: [tx.tasks.find({ nodeId: 'n1' }).map((t) => t.id), tx.tasks.find({ nodeId: 'n2' }).map((t) => t.id)],
    byService: tx.tasks.find({ serviceId: 's1' }).map((t) => t.id).sort(),
    bySlot: tx.tasks.find({ serviceId: 's1', slot: 1 }).map((t) => t.id),
    byState: tx.tasks.find({ state: 'running' }).map((t) => t.id).sort(),
    byName: tx.services.find({ name: 'WEB' }).map((s) => s.id),
    byNamePrefix: tx.networks.find({ namePrefix: 'app' }).map((n) => n.id),
    byLabel: tx.services.find({ label: 'tier=front' }).map((s) => s.id),
    byIdPrefix: tx.tasks.find({ idPrefix: 't' }).map((t) => t.id).sort(),
    byHostname: tx.nodes.find({ name: 'host-1' }).map((n) => n.id),
  }));
}

describe('store atomicity', () => {
  it('leaves tables, indexes, index and watchers untouched when the update callback throws', async () => {
    const { store } = newStore();
    await seed(store);
    const before = observe(store);
    const events = record(store.watch());
    const boom = new Error('boom');
    await expect(
      store.update((tx) => {
        tx.tasks.create(task('t3', 's1', 'n1', 3));
        tx.tasks.update('t1', (t) => {
          t.nodeId = 'n2';
          t.status.state = 'failed';
        });
        tx.tasks.delete('t2');
        tx.services.update('s1', (s) => {
          s.spec.name = 'renamed';
          s.spec.labels = { tier: 'back' };
        });
        tx.networks.delete('net1');
        tx.nodes.update('n1', (n) => {
          n.spec.name = 'other';
        });
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(observe(store)).toEqual(before);
    // The names freed by the failed transaction are still taken, the ids created are still free.
    await expect(store.update((tx) => tx.services.create(service('s9', 'web')))).rejects.toThrow(/already in use/);
    await store.update((tx) => tx.tasks.create(task('t3', 's1', 'n1', 3)));
    await tick();
    expect(events.values.filter((e) => e.type !== 'commit').map((e) => e.type)).toEqual(['create']);
  });

  it('fails a transaction as a whole when a later write in it is refused', async () => {
    const { store } = newStore();
    await seed(store);
    const before = observe(store);
    await expect(
      store.update((tx) => {
        tx.tasks.create(task('t3', 's1', 'n1', 3));
        tx.services.create(service('s2', 'Web'));
      }),
    ).rejects.toThrow(/already in use/);
    expect(observe(store)).toEqual(before);
  });

  it('lets a transaction go on after a refused write, which had no effect', async () => {
    const { store } = newStore();
    await seed(store);
    await store.update((tx) => {
      expect(() => tx.services.create(service('s2', 'WEB'))).toThrow(/already in use/);
      expect(() => tx.tasks.update('nope', () => {})).toThrow(/not found/);
      expect(() => tx.tasks.create(task('t1', 's1', 'n2', 9))).toThrow(/already exists/);
      tx.services.create(service('s2', 'api'));
    });
    expect(store.view((tx) => [tx.services.all().length, tx.tasks.getOrThrow('t1').nodeId])).toEqual([2, 'n1']);
  });

  it('shows a transaction its own writes, through every index, before it commits', async () => {
    const { store } = newStore();
    await seed(store);
    await store.update((tx) => {
      tx.tasks.create(task('t3', 's1', 'n1', 3, 'pending'));
      tx.tasks.update('t1', (t) => {
        t.nodeId = 'n2';
      });
      tx.tasks.delete('t2');
      expect(tx.tasks.find({ nodeId: 'n1' }).map((t) => t.id)).toEqual(['t3']);
      expect(tx.tasks.find({ nodeId: 'n2' }).map((t) => t.id)).toEqual(['t1']);
      expect(tx.tasks.find({ state: 'pending' }).map((t) => t.id)).toEqual(['t3']);
      expect(tx.tasks.get('t2')).toBeUndefined();
      expect(store.view((v) => v.tasks.find({ nodeId: 'n1' }).map((t) => t.id))).toEqual(['t1']);
    });
    expect(store.view((tx) => tx.tasks.find({ nodeId: 'n1' }).map((t) => t.id))).toEqual(['t3']);
  });

  it('makes the change visible as soon as update returns, and resolves with the callback result', async () => {
    const { store } = newStore();
    const pending = store.update((tx) => tx.services.create(service('s1', 'web')).id);
    expect(store.view((tx) => tx.services.get('s1')?.spec.name)).toBe('web');
    expect(store.index).toBe(1);
    await expect(pending).resolves.toBe('s1');
  });

  it('commits nothing, and keeps the index, for an update that changes nothing', async () => {
    const { store } = newStore();
    await seed(store);
    const events = record(store.watch({ allCommits: true }));
    await store.update((tx) => tx.tasks.update('t1', () => {}));
    await store.update((tx) => {
      tx.tasks.create(task('tmp', 's1', 'n1', 9));
      tx.tasks.delete('tmp');
    });
    await tick();
    expect(store.index).toBe(1);
    expect(events.values).toEqual([]);
  });

  it('refuses asynchronous callbacks, nested updates, writes in views and transactions used after their callback', async () => {
    const { store } = newStore();
    await seed(store);
    const before = observe(store);
    await expect(store.update(async (tx) => tx.tasks.delete('t1'))).rejects.toBeInstanceOf(InvalidStateError);
    let inner: Promise<unknown> | undefined;
    await store.update(() => {
      inner = store.update((tx) => tx.tasks.delete('t2'));
    });
    await expect(inner).rejects.toBeInstanceOf(InvalidStateError);
    expect(() => store.view((tx) => (tx as unknown as { tasks: { delete(id: string): void } }).tasks.delete('t1'))).toThrow(InvalidStateError);
    let leaked: { tasks: { get(id: string): unknown } } | undefined;
    await store.update((tx) => {
      leaked = tx;
    });
    expect(() => leaked?.tasks.get('t1')).toThrow(InvalidStateError);
    expect(observe(store)).toEqual(before);
  });
});
