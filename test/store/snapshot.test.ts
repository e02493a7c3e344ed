import { describe, expect, it } from 'vitest';
import { CorruptionError } from '../../src/errors/index.js';
import { decodeSnapshot, encodeSnapshot, type Store, type StoreSnapshot } from '../../src/store/index.js';
import { cluster, config, network, newStore, node, record, secret, service, task, tick } from './fixtures.js';

async function populate(store: Store): Promise<void> {
  await store.update((tx) => {
    tx.clusters.create(cluster('c1'));
    tx.nodes.create(node('n1', 'alpha', { labels: { zone: 'a' } }));
    tx.nodes.create(node('n2', 'beta', { role: 'manager' }));
    tx.services.create(service('s1', 'web', { $bytes: 'not bytes', tier: 'front' }));
    tx.networks.create(network('net1', 'appnet'));
    tx.secrets.create(secret('x1', 'db_pass', new Uint8Array([0, 1, 2, 253, 254, 255])));
    tx.configs.create(config('g1', 'nginx.conf', new TextEncoder().encode('worker_processes 4;\n')));
  });
  await store.update((tx) => {
    tx.tasks.create(task('t1', 's1', 'n1', 1));
    tx.tasks.create(task('t2', 's1', 'n2', 2, 'failed', 'shutdown'));
  });
  await store.update((tx) => tx.tasks.update('t1', (t) => void (t.status = { ...t.status, exitCode: Number.NaN, message: 'line\nbreak "quoted"' })));
}

const state = (store: Store) =>
  store.view((tx) => ({
    index: tx.index,
    tables: (['node', 'service', 'task', 'network', 'secret', 'config', 'cluster'] as const).map((k) => [...tx.table(k).all()].sort((a, b) => a.id.localeCompare(b.id))),
    byNode: tx.tasks.find({ nodeId: 'n1' }).map((t) => t.id),
    byName: tx.services.find({ name: 'WEB' }).map((s) => s.id),
    byLabel: tx.nodes.find({ label: 'zone=a' }).map((n) => n.id),
    byRole: tx.nodes.find({ role: 'manager' }).map((n) => n.id),
    byPrefix: tx.secrets.find({ namePrefix: 'db' }).map((s) => s.id),
  }));

describe('snapshot and restore', () => {
  it('round-trips the whole state and its indexes through plain data', async () => {
    const { store } = newStore();
    await populate(store);
    const snap = store.snapshot();
    expect(snap.index).toBe(3);
    const { store: other } = newStore();
    other.restore(snap);
    expect(state(other)).toEqual(state(store));
  });

  it('round-trips through bytes, keeping Uint8Array data, NaN, newlines and tag-like keys', async () => {
    const { store } = newStore();
    await populate(store);
    const bytes = encodeSnapshot(store.snapshot());
    expect(bytes).toBeInstanceOf(Uint8Array);
    const decoded = decodeSnapshot(bytes);
    const { store: other } = newStore();
    other.restore(decoded);
    expect(state(other)).toEqual(state(store));
    const data = other.view((tx) => tx.secrets.getOrThrow('x1').spec.data);
    expect(data).toBeInstanceOf(Uint8Array);
    expect([...data]).toEqual([0, 1, 2, 253, 254, 255]);
    expect(other.view((tx) => tx.services.getOrThrow('s1').spec.labels)).toEqual({ $bytes: 'not bytes', tier: 'front' });
    expect(other.view((tx) => tx.tasks.getOrThrow('t1').status.exitCode)).toBeNaN();
    expect(Object.isFrozen(other.view((tx) => tx.tasks.getOrThrow('t1').status))).toBe(true);
  });

  it('replaces everything that was there, and continues from the snapshot index', async () => {
    const { store } = newStore();
    await populate(store);
    const snap = store.snapshot();
    const { store: other } = newStore();
    await other.update((tx) => {
      tx.services.create(service('old', 'legacy'));
      tx.tasks.create(task('t-old', 'old', 'n1', 1));
    });
    other.restore(snap);
    expect(other.view((tx) => [tx.services.get('old'), tx.tasks.find({ nodeId: 'n1' }).map((t) => t.id)])).toEqual([undefined, ['t1']]);
    await other.update((tx) => tx.services.create(service('s2', 'legacy')));
    expect(other.view((tx) => tx.services.getOrThrow('s2').meta.version)).toBe(4);
  });

  it('tells watchers what changed, as events, then a commit marker at the snapshot index', async () => {
    const { store } = newStore();
    await populate(store);
    const snap = store.snapshot();
    await store.update((tx) => tx.tasks.update('t2', (t) => void (t.desiredState = 'remove')));
    await store.update((tx) => tx.tasks.create(task('t3', 's1', 'n1', 3)));
    await store.update((tx) => tx.tasks.delete('t1'));
    const events = record(store.watch({ kind: 'task' }));
    store.restore(snap);
    await tick();
    const brief = events.values.map((e) => (e.type === 'commit' ? `commit@${e.index}` : `${e.type} ${e.object.id}`));
    expect([...brief].sort()).toEqual(['commit@3', 'create t1', 'delete t3', 'update t2'].sort());
    expect(brief.at(-1)).toBe('commit@3');
  });

  it('refuses a corrupt snapshot and keeps the state it had', async () => {
    const { store } = newStore();
    await populate(store);
    const before = state(store);
    const snap = store.snapshot();
    const dupNames: StoreSnapshot = { ...snap, services: [...snap.services, { ...snap.services[0]!, id: 's9' }] };
    const dupIds: StoreSnapshot = { ...snap, tasks: [...snap.tasks, snap.tasks[0]!] };
    const noMeta = { ...snap, nodes: [{ id: 'n9' }] } as unknown as StoreSnapshot;
    for (const bad of [dupNames, dupIds, noMeta]) expect(() => store.restore(bad)).toThrow(CorruptionError);
    expect(state(store)).toEqual(before);
    expect(() => decodeSnapshot(new TextEncoder().encode('{"format":"other"}\n'))).toThrow(CorruptionError);
    expect(() => decodeSnapshot(new Uint8Array([0xff, 0xfe]))).toThrow(CorruptionError);
    const good = encodeSnapshot(snap);
    expect(() => decodeSnapshot(good.subarray(0, good.length - 20))).toThrow(CorruptionError);
  });
});
