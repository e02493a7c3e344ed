import { describe, expect, it } from 'vitest';
import { StubAgent, assignedTask, freshNode, setup, status } from './support.js';

describe('Dispatcher assignments', () => {
  async function oneNode() {
    const env = setup();
    await env.store.update((tx) => {
      tx.nodes.create(freshNode('n1'));
      tx.nodes.create(freshNode('n2'));
      tx.tasks.create(assignedTask('a', 'n1', 'assigned'));
      tx.tasks.create(assignedTask('b', 'n1', 'running'));
      tx.tasks.create(assignedTask('c', 'n1', 'complete', 'shutdown'));
      tx.tasks.create(assignedTask('pending-global', 'n1', 'pending'));
      tx.tasks.create(assignedTask('other', 'n2', 'assigned'));
    });
    env.dispatcher.activate();
    const agent = new StubAgent('n1', env.network, env.clock);
    await agent.open();
    return { ...env, agent };
  }

  it('sends the full set: the node’s tasks from assigned on, terminal ones included', async () => {
    const { store, dispatcher, agent } = await oneNode();
    const set = await agent.assignments();
    expect(set.tasks.map((t) => t.id).sort()).toEqual(['a', 'b', 'c']);
    expect(set.seq).toBe(0);
    expect(set.index).toBe(store.index);
    expect(dispatcher.stats().fullAssignments).toBe(1);
    await dispatcher.stop();
  });

  it('pushes numbered increments for new, changed and deleted tasks, without echoing status reports', async () => {
    const { clock, store, dispatcher, agent } = await oneNode();
    await store.update((tx) => tx.tasks.create(assignedTask('d', 'n1')));
    await clock.advanceAsync(100);
    await store.update((tx) => tx.tasks.update('a', (t) => void (t.desiredState = 'shutdown')));
    await clock.advanceAsync(100);
    await agent.report([{ taskId: 'b', status: status('complete') }]); // the agent's own report
    await clock.advanceAsync(300);
    await store.update((tx) => tx.tasks.delete('c'));
    await store.update((tx) => tx.tasks.update('pending-global', (t) => void (t.status = { state: 'assigned', timestamp: 0, message: '' })));
    await clock.advanceAsync(100);
    const seen = agent.increments.map((m) => [m.seq, m.changes.map((c) => (c.op === 'update' ? `update ${c.task.id} ${c.task.desiredState}` : `remove ${c.taskId}`))]);
    expect(seen).toEqual([
      [1, ['update d running']],
      [2, ['update a shutdown']],
      // b reached a terminal state: sent once, harmless to the agent that reported it.
      [3, ['update b running']],
      [4, ['remove c', 'update pending-global running']],
    ]);
    expect(store.view((tx) => tx.tasks.get('b')?.status.state)).toBe('complete');
    expect((await agent.heartbeat()).seq).toBe(4);
    await dispatcher.stop();
  });

  it('lets an agent that lost increments notice the gap from the heartbeat and resync', async () => {
    const { clock, store, network, dispatcher, agent } = await oneNode();
    const first = await agent.assignments();
    network.setLink('m1', 'n1', { dropRate: 1 });
    await store.update((tx) => tx.tasks.create(assignedTask('lost', 'n1')));
    await clock.advanceAsync(100);
    network.clearLink('m1', 'n1');
    expect(agent.increments).toEqual([]);
    const hb = await agent.heartbeat();
    expect(hb.seq).toBeGreaterThan(first.seq);
    const again = await agent.assignments();
    expect(again.seq).toBe(hb.seq);
    expect(again.tasks.map((t) => t.id)).toContain('lost');
    await dispatcher.stop();
  });

  it('tells the agent to resync instead of queueing more than 10,000 changes', async () => {
    const { clock, store, dispatcher, agent } = await oneNode();
    for (let k = 0; k < 2; k++) {
      await store.update((tx) => {
        for (let i = 0; i < 5001; i++) tx.tasks.create(assignedTask(`bulk-${k}-${i}`, 'n1'));
      });
    }
    await clock.advanceAsync(100);
    expect(agent.increments).toHaveLength(1);
    expect(agent.increments[0]).toMatchObject({ seq: 1, changes: [], resync: true });
    expect((await agent.assignments()).tasks).toHaveLength(3 + 10_002);
    await dispatcher.stop();
  });

  it('splits a large increment into messages of at most 1024 changes', async () => {
    const { clock, store, dispatcher, agent } = await oneNode();
    await store.update((tx) => {
      for (let i = 0; i < 2500; i++) tx.tasks.create(assignedTask(`bulk-${i}`, 'n1'));
    });
    await clock.advanceAsync(100);
    expect(agent.increments.map((m) => [m.seq, m.changes.length])).toEqual([
      [1, 1024],
      [2, 1024],
      [3, 452],
    ]);
    await dispatcher.stop();
  });
});
