import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AlreadyExistsError, CorruptionError, InvalidStateError, NotFoundError, VersionConflictError } from '../../src/errors/index.js';
import {
  LocalProposer,
  decodeSnapshot,
  decodeTransaction,
  encodeSnapshot,
  encodeTransaction,
  type ProposalTarget,
  type Proposer,
  type Transaction,
} from '../../src/store/index.js';
import { newStore, secret, service, task } from './fixtures.js';

/** Commits locally and keeps every committed transaction as the bytes a raft log would hold. */
class RecordingProposer implements Proposer {
  readonly log: { index: number; bytes: Uint8Array }[] = [];
  private readonly local = new LocalProposer();
  async propose(tx: Transaction, target: ProposalTarget): Promise<number> {
    const bytes = encodeTransaction(tx);
    const index = await this.local.propose(decodeTransaction(bytes), target);
    this.log.push({ index, bytes });
    return index;
  }
}

describe('replication: transactions as data', () => {
  it('stages the net change per object, in first-touch order, with the versions it read', async () => {
    let captured: Transaction | undefined;
    const { store } = newStore({
      proposer: { propose: (tx, target) => ((captured = tx), new LocalProposer().propose(tx, target)) },
    });
    await store.update((tx) => {
      tx.tasks.create(task('t1', 's', 'n1', 1));
      tx.tasks.create(task('t2', 's', 'n1', 2));
    });
    await store.update((tx) => {
      tx.tasks.update('t2', (t) => void (t.nodeId = 'n2'));
      tx.tasks.create(task('t3', 's', 'n1', 3));
      tx.tasks.update('t3', (t) => void (t.slot = 30));
      tx.tasks.update('t2', (t) => void (t.status.state = 'failed'));
      tx.tasks.delete('t1');
      tx.tasks.create(task('t4', 's', 'n1', 4));
      tx.tasks.delete('t4');
    });
    expect(captured?.actions.map((a) => [a.op, a.op === 'delete' ? a.id : a.object.id, 'expectedVersion' in a ? a.expectedVersion : null])).toEqual([
      ['update', 't2', 1],
      ['create', 't3', null],
      ['delete', 't1', 1],
    ]);
    const t2 = captured?.actions[0];
    expect(t2?.op === 'update' && t2.kind === 'task' && [t2.object.nodeId, t2.object.status.state]).toEqual(['n2', 'failed']);
  });

  it('encodes and decodes transactions losslessly, Uint8Array included', async () => {
    const proposer = new RecordingProposer();
    const { store } = newStore({ proposer });
    await store.update((tx) => tx.secrets.create(secret('x', 'key', new Uint8Array([0, 128, 255]))));
    await store.update((tx) => tx.secrets.update('x', (s) => void (s.spec.labels = { rotated: 'yes' })));
    await store.update((tx) => tx.secrets.delete('x'));
    for (const { bytes } of proposer.log) {
      const tx = decodeTransaction(bytes);
      expect(encodeTransaction(tx)).toEqual(bytes);
    }
    const first = decodeTransaction(proposer.log[0]!.bytes).actions[0];
    expect(first?.op === 'create' && first.kind === 'secret' && first.object.spec.data).toEqual(new Uint8Array([0, 128, 255]));
  });

  it('gives a second store identical state when it applies the log at the same indexes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ op: fc.constantFrom('create', 'move', 'fail', 'delete', 'rename'), id: fc.integer({ min: 0, max: 9 }), n: fc.integer({ min: 0, max: 3 }), dt: fc.nat(5000) }),
          { maxLength: 60 },
        ),
        async (ops) => {
          const proposer = new RecordingProposer();
          const { store, clock } = newStore({ proposer });
          await store.update((tx) => tx.services.create(service('s', 'web')));
          for (const { op, id, n, dt } of ops) {
            clock.advance(dt);
            await store
              .update((tx) => {
                const t = `t${id}`;
                if (op === 'create') tx.tasks.create(task(t, 's', `n${n}`, id));
                else if (op === 'move') tx.tasks.update(t, (d) => void (d.nodeId = `n${n}`));
                else if (op === 'fail') tx.tasks.update(t, (d) => void (d.status.state = 'failed'));
                else if (op === 'delete') tx.tasks.delete(t);
                else tx.services.update('s', (d) => void (d.spec.name = `web${n}`));
              })
              .catch(() => undefined);
          }
          const { store: replica } = newStore();
          for (const { index, bytes } of proposer.log) replica.applyTransaction(decodeTransaction(bytes), index);
          expect(replica.index).toBe(store.index);
          expect(replica.snapshot()).toEqual(store.snapshot());
          for (let node = 0; node < 4; node++) {
            const ids = (s: typeof store) => s.view((tx) => tx.tasks.find({ nodeId: `n${node}` }).map((t) => t.id).sort());
            expect(ids(replica)).toEqual(ids(store));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps a replica that started from a snapshot identical, down to the snapshot bytes', async () => {
    const proposer = new RecordingProposer();
    const { store } = newStore({ proposer });
    for (let i = 0; i < 6; i++) await store.update((tx) => tx.tasks.create(task(`t${i}`, 's', `n${i % 2}`, i)));
    await store.update((tx) => tx.tasks.delete('t2'));
    const { store: replica } = newStore();
    replica.restore(decodeSnapshot(encodeSnapshot(store.snapshot())));
    const from = proposer.log.length;
    await store.update((tx) => {
      tx.tasks.delete('t4');
      tx.tasks.create(task('t9', 's', 'n1', 9));
      tx.tasks.update('t0', (t) => void (t.nodeId = 'n1'));
    });
    await store.update((tx) => tx.tasks.create(task('t2', 's', 'n0', 2)));
    for (const { index, bytes } of proposer.log.slice(from)) replica.applyTransaction(decodeTransaction(bytes), index);
    expect(encodeSnapshot(replica.snapshot())).toEqual(encodeSnapshot(store.snapshot()));
  });

  it('applies all or nothing, rechecking versions, ids and existence', async () => {
    const proposer = new RecordingProposer();
    const { store } = newStore({ proposer });
    await store.update((tx) => tx.tasks.create(task('t1', 's', 'n1', 1)));
    await store.update((tx) => tx.tasks.update('t1', (t) => void (t.nodeId = 'n2')));
    const [create, move] = proposer.log.map((e) => decodeTransaction(e.bytes)) as [Transaction, Transaction];
    const { store: replica } = newStore();
    replica.applyTransaction(create, 5);
    const before = replica.snapshot();
    const extra: Transaction = { actions: [{ op: 'create', kind: 'task', object: { ...task('t2', 's', 'n1', 2), meta: { version: 0, createdAt: 1, updatedAt: 1 } } }] };
    // The move expects version 1, but the replica applied the create at index 5.
    expect(() => replica.applyTransaction({ actions: [...extra.actions, ...move.actions] }, 6)).toThrow(VersionConflictError);
    expect(() => replica.applyTransaction(create, 6)).toThrow(AlreadyExistsError);
    expect(() => replica.applyTransaction({ actions: [{ op: 'delete', kind: 'task', id: 'zz', expectedVersion: 1 }] }, 6)).toThrow(NotFoundError);
    expect(() => replica.applyTransaction({ actions: [...extra.actions, ...extra.actions] }, 6)).toThrow(InvalidStateError);
    expect(() => replica.applyTransaction(extra, 5)).toThrow(InvalidStateError);
    expect(replica.snapshot()).toEqual(before);
    expect(replica.index).toBe(5);
    replica.applyTransaction(extra, 9);
    expect(replica.view((tx) => tx.tasks.getOrThrow('t2').meta)).toEqual({ version: 9, createdAt: 1, updatedAt: 1 });
  });

  it('rejects the update, changing nothing, when the proposer fails', async () => {
    const failure = new Error('no quorum');
    const { store } = newStore({
      proposer: {
        propose: () => {
          throw failure;
        },
      },
    });
    await expect(store.update((tx) => tx.tasks.create(task('t1', 's', 'n1', 1)))).rejects.toBe(failure);
    await expect(store.batch((b) => void b.update((tx) => tx.tasks.create(task('t1', 's', 'n1', 1))))).rejects.toBe(failure);
    expect(store.index).toBe(0);
    expect(store.view((tx) => tx.tasks.all())).toEqual([]);
  });

  it('refuses bytes that are not a transaction', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(() => decodeTransaction(enc('not json'))).toThrow(CorruptionError);
    expect(() => decodeTransaction(enc('{"format":"flotilla.store.tx/1","actions":[{"op":"create","kind":"task","object":{"id":"x"}}]}'))).toThrow(CorruptionError);
    expect(() => decodeTransaction(enc('{"format":"flotilla.store.tx/1","actions":[{"op":"update","kind":"boat","object":{}}]}'))).toThrow(CorruptionError);
    expect(() => decodeTransaction(enc('{"format":"flotilla.store.tx/1","actions":[{"op":"delete","kind":"task","id":"x"}]}'))).toThrow(CorruptionError);
    expect(decodeTransaction(enc('{"format":"flotilla.store.tx/1","actions":[]}'))).toEqual({ actions: [] });
  });
});
