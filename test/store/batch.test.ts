import { describe, expect, it } from 'vitest';
import { InvalidStateError, TransactionTooLargeError, ValidationError } from '../../src/errors/index.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_TRANSACTION_ACTIONS } from '../../src/store/index.js';
import { DeferredProposer, newStore, record, service, task, tick } from './fixtures.js';

describe('batch', () => {
  it(`splits a large write into transactions of ${DEFAULT_BATCH_SIZE} changes`, async () => {
    const { store } = newStore();
    const events = record(store.watch({ bufferSize: 100_000 }));
    const result = await store.batch((b) => {
      for (let i = 0; i < 1000; i++) void b.update((tx) => tx.tasks.create(task(`t${i}`, 's', 'n1', i)));
    });
    await tick();
    expect(result).toEqual({ transactions: 5, changes: 1000, index: 5 });
    const perCommit = new Map<number, number>();
    for (const e of events.values) if (e.type !== 'commit') perCommit.set(e.index, (perCommit.get(e.index) ?? 0) + 1);
    expect([...perCommit.values()]).toEqual([200, 200, 200, 200, 200]);
    expect(store.view((tx) => tx.tasks.all().length)).toBe(1000);
  });

  it('takes another batch size, and keeps each step whole', async () => {
    const { store } = newStore();
    const result = await store.batch(
      async (b) => {
        for (let i = 0; i < 10; i++) {
          await b.update((tx) => {
            for (let j = 0; j < 3; j++) tx.tasks.create(task(`t${i}-${j}`, 's', 'n1', j));
          });
        }
      },
      { batchSize: 7 },
    );
    // 3 changes per step: commit once 7 are reached, i.e. after every third step (9 changes).
    expect(result).toEqual({ transactions: 4, changes: 30, index: 4 });
    const perIndex = store.view((tx) => tx.tasks.all().reduce((m, t) => m.set(t.meta.version, (m.get(t.meta.version) ?? 0) + 1), new Map<number, number>()));
    expect([...perIndex.values()]).toEqual([9, 9, 9, 3]);
  });

  it('shows each step the changes of earlier steps, committed or not, and resolves with its result', async () => {
    const { store } = newStore();
    const seen: number[] = [];
    await store.batch(
      async (b) => {
        for (let i = 0; i < 5; i++) {
          const count = await b.update((tx) => {
            tx.tasks.create(task(`t${i}`, 's', 'n1', i));
            return tx.tasks.find({ nodeId: 'n1' }).length;
          });
          seen.push(count);
        }
      },
      { batchSize: 2 },
    );
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('waits for each commit before running later steps when the proposer is asynchronous', async () => {
    const proposer = new DeferredProposer();
    const { store } = newStore({ proposer });
    const stepsRun: number[] = [];
    const done = store.batch(
      (b) => {
        for (let i = 0; i < 6; i++) {
          void b.update((tx) => {
            stepsRun.push(i);
            tx.tasks.create(task(`t${i}`, 's', 'n1', i));
          });
        }
      },
      { batchSize: 2 },
    );
    await tick();
    expect(stepsRun).toEqual([0, 1]);
    proposer.commitNext();
    await tick();
    expect(stepsRun).toEqual([0, 1, 2, 3]);
    proposer.commitNext();
    await tick();
    proposer.commitNext();
    const result = await done;
    expect(result.transactions).toBe(3);
    expect(store.view((tx) => tx.tasks.all().length)).toBe(6);
  });

  it('stops at the first failing step: committed transactions stay, the open one is dropped', async () => {
    const { store } = newStore();
    await store.update((tx) => tx.services.create(service('s1', 'taken')));
    const boom = new Error('step failed');
    const later: Promise<unknown>[] = [];
    const done = store.batch(
      (b) => {
        for (let i = 0; i < 5; i++) void b.update((tx) => tx.tasks.create(task(`t${i}`, 's', 'n1', i)));
        void b.update(() => {
          throw boom;
        });
        later.push(b.update((tx) => tx.tasks.create(task('never', 's', 'n1', 0))));
      },
      { batchSize: 2 },
    );
    await expect(done).rejects.toBe(boom);
    await expect(later[0]).rejects.toBe(boom);
    expect(store.view((tx) => tx.tasks.all().map((t) => t.id).sort())).toEqual(['t0', 't1', 't2', 't3']);
  });

  it('refuses steps after the batch ended', async () => {
    const { store } = newStore();
    let leaked: { update(fn: () => void): Promise<unknown> } | undefined;
    await store.batch((b) => {
      leaked = b;
    });
    await expect(leaked?.update(() => {})).rejects.toBeInstanceOf(InvalidStateError);
  });
});

describe('transaction size bounds', () => {
  it(`refuses a single update of more than ${DEFAULT_MAX_TRANSACTION_ACTIONS} changes, pointing at batch()`, async () => {
    const { store } = newStore();
    const err = await store
      .update((tx) => {
        for (let i = 0; i <= DEFAULT_MAX_TRANSACTION_ACTIONS; i++) tx.tasks.create(task(`t${i}`, 's', 'n1', i));
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransactionTooLargeError);
    expect(String((err as Error).message)).toMatch(/batch\(\)/);
    expect(store.view((tx) => tx.tasks.all().length)).toBe(0);
    await store.update((tx) => {
      for (let i = 0; i < DEFAULT_MAX_TRANSACTION_ACTIONS; i++) tx.tasks.create(task(`t${i}`, 's', 'n1', i));
    });
    expect(store.view((tx) => tx.tasks.all().length)).toBe(DEFAULT_MAX_TRANSACTION_ACTIONS);
  });

  it('enforces a configured action and byte bound', async () => {
    const { store } = newStore({ maxTransactionActions: 3, batchSize: 3, maxTransactionBytes: 2000 });
    await expect(
      store.update((tx) => {
        for (let i = 0; i < 4; i++) tx.tasks.create(task(`t${i}`, 's', 'n1', i));
      }),
    ).rejects.toBeInstanceOf(TransactionTooLargeError);
    await store.update((tx) => tx.tasks.create(task('small', 's', 'n1', 1)));
    await expect(store.update((tx) => tx.tasks.create({ ...task('big', 's', 'n1', 1), serviceName: 'x'.repeat(3000) }))).rejects.toBeInstanceOf(TransactionTooLargeError);
    expect(store.view((tx) => tx.tasks.all().map((t) => t.id))).toEqual(['small']);
  });

  it('refuses a batch size above the transaction bound', async () => {
    const { store } = newStore({ maxTransactionActions: 10 });
    await expect(store.batch(() => {}, { batchSize: 11 })).rejects.toBeInstanceOf(ValidationError);
    expect(() => newStore({ maxTransactionActions: 10, batchSize: 20 })).toThrow(ValidationError);
  });
});
