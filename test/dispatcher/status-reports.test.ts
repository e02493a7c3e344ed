import { describe, expect, it } from 'vitest';
import { DESCRIPTION, StubAgent, assignedTask, freshNode, setup, status } from './support.js';

describe('Dispatcher status reports', () => {
  async function twoNodes() {
    const env = setup();
    await env.store.update((tx) => {
      tx.nodes.create(freshNode('n1'));
      tx.nodes.create(freshNode('n2'));
      tx.tasks.create(assignedTask('t1', 'n1'));
      tx.tasks.create(assignedTask('t2', 'n2'));
    });
    env.dispatcher.activate();
    const a1 = new StubAgent('n1', env.network, env.clock);
    const a2 = new StubAgent('n2', env.network, env.clock);
    await a1.open();
    await a2.open();
    return { ...env, a1, a2 };
  }

  it('writes forward transitions and drops backward or repeated ones', async () => {
    const { store, dispatcher, a1 } = await twoNodes();
    expect(await a1.report([{ taskId: 't1', status: status('running', 5, { containerId: 'c1' }) }])).toEqual({ accepted: 1, dropped: 0 });
    await dispatcher.flush();
    expect(store.view((tx) => tx.tasks.get('t1')?.status)).toEqual({ state: 'running', timestamp: 5, message: 'running', containerId: 'c1' });
    expect(await a1.report([{ taskId: 't1', status: status('starting') }, { taskId: 't1', status: status('running') }])).toEqual({ accepted: 0, dropped: 2 });
    await dispatcher.flush();
    expect(store.view((tx) => tx.tasks.get('t1')?.status.state)).toBe('running');
    expect(dispatcher.stats().droppedStale).toBe(2);
    await dispatcher.stop();
  });

  it('accepts reports only from the node the task is assigned to, and counts the others', async () => {
    const { store, dispatcher, a1 } = await twoNodes();
    const r = await a1.report([{ taskId: 't2', status: status('failed') }, { taskId: 'nope', status: status('running') }]);
    expect(r).toEqual({ accepted: 0, dropped: 2 });
    await dispatcher.flush();
    expect(store.view((tx) => tx.tasks.get('t2')?.status.state)).toBe('assigned');
    expect(dispatcher.stats()).toMatchObject({ droppedWrongNode: 1, droppedUnknownTask: 1 });
    await dispatcher.stop();
  });

  it('coalesces several reports of a task into one write of the furthest state', async () => {
    const { store, dispatcher, a1 } = await twoNodes();
    const writes: string[] = [];
    store.watch({ kind: 'task' }).subscribe((ev) => {
      if (ev.type === 'update') writes.push(ev.object.status.state);
    });
    await a1.report([{ taskId: 't1', status: status('accepted') }, { taskId: 't1', status: status('preparing') }]);
    await a1.report([{ taskId: 't1', status: status('running') }, { taskId: 't1', status: status('starting') }]);
    await dispatcher.flush();
    await Promise.resolve();
    expect(writes).toEqual(['running']);
    await dispatcher.stop();
  });

  it('writes thousands of reports in a few transactions', async () => {
    const { clock, store, network, dispatcher } = setup();
    await store.update((tx) => {
      tx.nodes.create(freshNode('n1'));
      for (let i = 0; i < 5000; i++) tx.tasks.create(assignedTask(`t${i}`, 'n1'));
    });
    dispatcher.activate();
    const agent = new StubAgent('n1', network, clock);
    await agent.open();
    let commits = 0;
    store.watch({ kind: 'task' }).subscribe((ev) => {
      if (ev.type === 'commit') commits++;
    });
    const before = dispatcher.stats().transactions;
    for (const state of ['accepted', 'preparing', 'ready', 'starting', 'running'] as const) {
      for (let i = 0; i < 5000; i += 1000) {
        const updates = Array.from({ length: 1000 }, (_, k) => ({ taskId: `t${i + k}`, status: status(state, clock.now()) }));
        await agent.report(updates);
      }
    }
    await dispatcher.flush();
    await clock.advanceAsync(200);
    expect(store.view((tx) => tx.tasks.find({ state: 'running' }).length)).toBe(5000);
    const transactions = dispatcher.stats().transactions - before;
    expect(transactions).toBeLessThanOrEqual(10);
    expect(commits).toBe(transactions);
    expect(dispatcher.stats().statusReports).toBe(25_000);
    await dispatcher.stop();
  });

  it('flushes at once when the queue bound (10,000 by default) is reached, without waiting for the interval', async () => {
    const { clock, store, network, dispatcher } = setup({ statusFlushInterval: 60_000, maxQueuedStatuses: 100 });
    await store.update((tx) => {
      tx.nodes.create(freshNode('n1'));
      for (let i = 0; i < 100; i++) tx.tasks.create(assignedTask(`t${i}`, 'n1'));
    });
    dispatcher.activate();
    await dispatcher.flush();
    const agent = new StubAgent('n1', network, clock);
    // The open waits for the (slow) flush interval: let an explicit flush answer it.
    const opening = agent.client.call<{ sessionId: string }>('m1', 'dispatcher.open', { nodeId: 'n1', description: DESCRIPTION });
    await clock.advanceAsync(10);
    await dispatcher.flush();
    await clock.advanceAsync(10);
    agent.sessionId = (await opening).sessionId;
    const start = clock.now();
    await agent.report(Array.from({ length: 100 }, (_, i) => ({ taskId: `t${i}`, status: status('accepted') })));
    await clock.advanceAsync(10);
    expect(store.view((tx) => tx.tasks.find({ state: 'accepted' }).length)).toBe(100);
    expect(clock.now() - start).toBeLessThan(1000);
    await dispatcher.stop();
  });
});
