import { describe, expect, it } from 'vitest';
import { WatchOverflowError } from '../../src/errors/index.js';
import { DEFAULT_WATCH_BUFFER_SIZE } from '../../src/store/index.js';
import { newStore, record, task, tick } from './fixtures.js';

describe('watch overflow', () => {
  it('ends a watcher that falls behind with WatchOverflowError, while every write goes through', async () => {
    const { store } = newStore({ watchBufferSize: 10 });
    const slow = record(store.watch());
    const roomy = record(store.watch({ bufferSize: 1000 }));
    // A burst with no chance for delivery in between: 20 transactions, 40 events.
    const writes = Array.from({ length: 20 }, (_, i) => store.update((tx) => tx.tasks.create(task(`t${i}`, 's', 'n1', i))));
    expect(store.index).toBe(20);
    await Promise.all(writes);
    await tick();
    expect(slow.error).toBeInstanceOf(WatchOverflowError);
    expect(slow.error).toMatchObject({ code: 'WATCH_OVERFLOW', limit: 10 });
    expect(slow.values).toEqual([]);
    expect(roomy.error).toBeUndefined();
    expect(roomy.values).toHaveLength(40);
    // Ended for good: later changes do not reach it.
    await store.update((tx) => tx.tasks.delete('t0'));
    await tick();
    expect(slow.values).toEqual([]);
  });

  it('never overflows a watcher that keeps up, however many writes there are', async () => {
    const { store } = newStore({ watchBufferSize: 4 });
    const events = record(store.watch());
    for (let i = 0; i < 500; i++) await store.update((tx) => tx.tasks.create(task(`t${i}`, 's', 'n1', i)));
    await tick();
    expect(events.error).toBeUndefined();
    expect(events.values).toHaveLength(1000);
  });

  it('counts only what the filter lets through against the bound', async () => {
    const { store } = newStore({ watchBufferSize: 4 });
    const quiet = record(store.watch({ kind: 'service' }));
    for (let i = 0; i < 50; i++) void store.update((tx) => tx.tasks.create(task(`t${i}`, 's', 'n1', i)));
    await tick();
    expect(quiet.error).toBeUndefined();
  });

  it('lets writers go on when a viewAndWatch is never subscribed, and reports the overflow on subscription', async () => {
    const { store } = newStore({ watchBufferSize: 8 });
    const { events } = store.viewAndWatch((tx) => tx.tasks.all());
    for (let i = 0; i < 30; i++) await store.update((tx) => tx.tasks.create(task(`t${i}`, 's', 'n1', i)));
    expect(store.view((tx) => tx.tasks.all().length)).toBe(30);
    const late = record(events);
    await tick();
    expect(late.values).toEqual([]);
    expect(late.error).toBeInstanceOf(WatchOverflowError);
  });

  it('recovers by re-reading: a fresh viewAndWatch after the overflow sees everything', async () => {
    const { store } = newStore({ watchBufferSize: 3 });
    const first = record(store.watch({ kind: 'task' }));
    for (let i = 0; i < 10; i++) void store.update((tx) => tx.tasks.create(task(`t${i}`, 's', 'n1', i)));
    await tick();
    expect(first.error).toBeInstanceOf(WatchOverflowError);
    const { result, events } = store.viewAndWatch((tx) => tx.tasks.all().map((t) => t.id));
    const again = record(events);
    await store.update((tx) => tx.tasks.create(task('t10', 's', 'n1', 10)));
    await tick();
    expect(result).toHaveLength(10);
    expect(again.values.map((e) => e.type)).toEqual(['create', 'commit']);
  });

  it(`defaults to a buffer of ${DEFAULT_WATCH_BUFFER_SIZE} events`, async () => {
    const { store } = newStore();
    const events = record(store.watch());
    const n = DEFAULT_WATCH_BUFFER_SIZE / 2; // each transaction queues a change and a commit marker
    for (let i = 0; i < n; i++) void store.update((tx) => tx.tasks.create(task(`t${i}`, 's', 'n1', i)));
    await tick();
    expect(events.error).toBeUndefined();
    expect(events.values).toHaveLength(DEFAULT_WATCH_BUFFER_SIZE);
    for (let i = n; i < 3 * n; i++) void store.update((tx) => tx.tasks.create(task(`t${i}`, 's', 'n1', i)));
    await tick();
    expect(events.error).toBeInstanceOf(WatchOverflowError);
  });
});
