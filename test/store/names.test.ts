import { describe, expect, it } from 'vitest';
import { NameConflictError, ValidationError, type ObjectKind } from '../../src/errors/index.js';
import type { NewObject, WriteTx } from '../../src/store/index.js';
import { DeferredProposer, cluster, config, network, newStore, node, secret, service } from './fixtures.js';

const bytes = new Uint8Array([1, 2, 3]);
type Named = 'service' | 'network' | 'secret' | 'config' | 'cluster';
const makers: { [K in Named]: (id: string, name: string) => NewObject<K> } = {
  service: (id, name) => service(id, name),
  network: (id, name) => network(id, name),
  secret: (id, name) => secret(id, name, bytes),
  config: (id, name) => config(id, name, bytes),
  cluster: (id, name) => cluster(id, name),
};
const create = <K extends Named>(tx: WriteTx, kind: K, id: string, name: string) => tx.table(kind).create(makers[kind](id, name) as never);
const rename = (tx: WriteTx, kind: ObjectKind, id: string, name: string) =>
  tx.table(kind).update(id, (d) => {
    (d as { spec: { name: string } }).spec.name = name;
  });

describe('unique names', () => {
  it.each(Object.keys(makers) as Named[])('refuses a second %s with the same name in any case', async (kind) => {
    const { store } = newStore();
    await store.update((tx) => create(tx, kind, 'a', 'Alpha'));
    const err = await store.update((tx) => create(tx, kind, 'b', 'aLPHA')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NameConflictError);
    expect(err).toMatchObject({ kind, objectName: 'aLPHA' });
    expect(store.view((tx) => tx.table(kind).all().length)).toBe(1);
  });

  it('refuses a rename to a taken name, and allows a rename that only changes case', async () => {
    const { store } = newStore();
    await store.update((tx) => {
      create(tx, 'service', 'a', 'web');
      create(tx, 'service', 'b', 'db');
    });
    await expect(store.update((tx) => rename(tx, 'service', 'b', 'WEB'))).rejects.toBeInstanceOf(NameConflictError);
    await store.update((tx) => rename(tx, 'service', 'a', 'Web'));
    expect(store.view((tx) => tx.services.find({ name: 'web' }).map((s) => s.spec.name))).toEqual(['Web']);
  });

  it('frees a name when its holder is deleted or renamed, even within the same transaction', async () => {
    const { store } = newStore();
    await store.update((tx) => {
      create(tx, 'network', 'a', 'front');
      create(tx, 'network', 'b', 'back');
    });
    await store.update((tx) => {
      tx.networks.delete('a');
      create(tx, 'network', 'c', 'FRONT');
      // Swap two names through a third.
      rename(tx, 'network', 'b', 'tmp');
      rename(tx, 'network', 'c', 'back');
      rename(tx, 'network', 'b', 'front');
    });
    const byName = store.view((tx) => Object.fromEntries(tx.networks.all().map((n) => [n.spec.name, n.id])));
    expect(byName).toEqual({ front: 'b', back: 'c' });
  });

  it('keeps names unique per kind only', async () => {
    const { store } = newStore();
    await store.update((tx) => {
      create(tx, 'service', 's', 'shared');
      create(tx, 'network', 'n', 'shared');
      create(tx, 'secret', 'x', 'shared');
    });
    expect(store.view((tx) => tx.secrets.find({ name: 'SHARED' }).length)).toBe(1);
  });

  it('requires a name', async () => {
    const { store } = newStore();
    await expect(store.update((tx) => create(tx, 'config', 'c', ''))).rejects.toBeInstanceOf(ValidationError);
  });

  it('lets nodes share a hostname, and names them by spec.name before hostname', async () => {
    const { store } = newStore();
    await store.update((tx) => {
      tx.nodes.create(node('n1', 'worker'));
      tx.nodes.create(node('n2', 'worker'));
      tx.nodes.create(node('n3', 'worker', { name: 'Edge' }));
    });
    const [workers, edge, byHost] = store.view((tx) => [
      tx.nodes.find({ name: 'WORKER' }).map((n) => n.id).sort(),
      tx.nodes.find({ name: 'edge' }).map((n) => n.id),
      tx.nodes.find({ namePrefix: 'work' }).map((n) => n.id).sort(),
    ]);
    expect(workers).toEqual(['n1', 'n2']);
    expect(edge).toEqual(['n3']);
    expect(byHost).toEqual(['n1', 'n2']);
  });

  it('rechecks names at commit, when another transaction took the name in between', async () => {
    const proposer = new DeferredProposer();
    const { store } = newStore({ proposer });
    const first = store.update((tx) => create(tx, 'secret', 'a', 'token'));
    const second = store.update((tx) => create(tx, 'secret', 'b', 'TOKEN'));
    proposer.commitAll();
    await first;
    await expect(second).rejects.toBeInstanceOf(NameConflictError);
    expect(store.view((tx) => tx.secrets.all().map((s) => s.id))).toEqual(['a']);
  });
});
