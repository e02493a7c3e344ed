import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidStateError } from '../../src/errors/index.js';
import type { Task } from '../../src/api/index.js';
import type { Store, StoreEvent } from '../../src/store/index.js';
import { DeferredProposer, newStore, record, task, tick } from './fixtures.js';

type Write = { kind: 'create' | 'move' | 'fail' | 'delete'; id: number; node: number };
const writeArb = fc.record({ kind: fc.constantFrom('create' as const, 'move' as const, 'fail' as const, 'delete' as const), id: fc.integer({ min: 0, max: 29 }), node: fc.integer({ min: 0, max: 2 }) });

/** Applies one write, if it makes sense for the current state; returns its promise. */
function write(store: Store, w: Write): Promise<unknown> {
  const id = `t${w.id}`;
  return store
    .update((tx) => {
      const t = tx.tasks.get(id);
      if (w.kind === 'create' && t === undefined) tx.tasks.create(task(id, 's', `n${w.node}`, w.id));
      else if (w.kind === 'move' && t !== undefined) tx.tasks.update(id, (d) => void (d.nodeId = `n${w.node}`));
      else if (w.kind === 'fail' && t !== undefined) tx.tasks.update(id, (d) => void (d.status.state = 'failed'));
      else if (w.kind === 'delete' && t !== undefined) tx.tasks.delete(id);
    })
    .catch(() => undefined); // a conflict behind a deferred proposer is a normal outcome
}

/** An informer: the snapshot plus the events, applied with the selector's meaning. */
function follow(snapshot: readonly Task[], onNode: string) {
  const cache = new Map(snapshot.map((t) => [t.id, t]));
  const seen = new Set<string>();
  const commits: number[] = [];
  const apply = (e: StoreEvent<'task'>) => {
    if (e.type === 'commit') {
      commits.push(e.index);
      return;
    }
    const key = `${e.object.id}@${e.index}`;
    expect(seen.has(key), `event ${key} seen twice`).toBe(false);
    seen.add(key);
    if (e.type === 'delete' || e.object.nodeId !== onNode) cache.delete(e.object.id);
    else cache.set(e.object.id, e.object);
  };
  return { cache, commits, apply };
}

describe('viewAndWatch', () => {
  it('gives a snapshot and then every later change of it, none missed or repeated, under concurrent writes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(writeArb, { minLength: 1, maxLength: 40 }),
        fc.array(writeArb, { maxLength: 40 }),
        fc.array(writeArb, { maxLength: 40 }),
        fc.nat({ max: 10 }),
        fc.boolean(),
        async (before, writerA, writerB, subscribeAfter, deferred) => {
          const proposer = deferred ? new DeferredProposer() : undefined;
          const { store } = newStore(proposer ? { proposer } : {});
          const settle = async () => {
            proposer?.commitAll();
            await tick();
          };
          await Promise.all(before.map((w) => write(store, w)).concat(settle()));
          await settle();
          const { result, events } = store.viewAndWatch((tx) => ({ tasks: tx.tasks.find({ nodeId: 'n1' }), index: tx.index }), { kind: 'task', selector: { nodeId: 'n1' } });
          const informer = follow(result.tasks, 'n1');
          // Two writers run concurrently with the watcher; subscription starts a while later.
          const runWriter = async (ws: Write[]) => {
            for (const w of ws) {
              const p = write(store, w);
              proposer?.commitAll();
              await p;
            }
          };
          const writers = Promise.all([runWriter(writerA), runWriter(writerB)]);
          for (let i = 0; i < subscribeAfter; i++) await Promise.resolve();
          const sub = events.subscribe({ next: informer.apply, error: (e: unknown) => expect.fail(String(e)) });
          await writers;
          await settle();
          sub.unsubscribe();
          const now = store.view((tx) => tx.tasks.find({ nodeId: 'n1' }));
          expect(new Map(now.map((t) => [t.id, t]))).toEqual(informer.cache);
          expect(informer.commits.every((c) => c > result.index)).toBe(true);
          expect(informer.commits).toEqual([...informer.commits].sort((a, b) => a - b));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('buffers from the moment of the view until the first subscription, and allows only one', async () => {
    const { store } = newStore();
    const { result, events } = store.viewAndWatch((tx) => tx.tasks.all().length);
    await store.update((tx) => tx.tasks.create(task('t1', 's', 'n1', 1)));
    await tick();
    const got = record(events);
    await tick();
    expect(result).toBe(0);
    expect(got.values.map((e) => e.type)).toEqual(['create', 'commit']);
    const second = record(events);
    expect(second.error).toBeInstanceOf(InvalidStateError);
  });

  it('registers no watcher when the view throws', async () => {
    const { store } = newStore({ watchBufferSize: 1 });
    expect(() =>
      store.viewAndWatch(() => {
        throw new Error('view failed');
      }),
    ).toThrow('view failed');
    // A leaked watcher with a buffer of one would overflow here; nothing to observe, so check via a fresh one.
    const fresh = record(store.watch({ bufferSize: 10 }));
    await store.update((tx) => tx.tasks.create(task('t1', 's', 'n1', 1)));
    await tick();
    expect(fresh.values).toHaveLength(2);
  });
});
