import { describe, expect, it } from 'vitest';
import { StubAgent, assignedTask, freshNode, keepAlive, setup } from './support.js';

describe('Dispatcher orphaning of tasks on long-down nodes', () => {
  it('orphans assigned..running tasks once the node has been down for the configured period', async () => {
    const { clock, store, network, dispatcher } = setup({ heartbeatPeriod: 1000 });
    await store.update((tx) => {
      tx.nodes.create(freshNode('n1'));
      tx.clusters.create({ id: 'c', spec: { name: 'default', dispatcher: { nodeDownPeriod: '1m' } } });
      tx.tasks.create(assignedTask('assigned', 'n1', 'assigned'));
      tx.tasks.create(assignedTask('running', 'n1', 'running'));
      tx.tasks.create(assignedTask('done', 'n1', 'complete'));
      tx.tasks.create(assignedTask('failed', 'n1', 'failed'));
    });
    dispatcher.activate();
    const agent = new StubAgent('n1', network, clock);
    await agent.open();
    await clock.advanceUntilAsync(() => store.view((tx) => tx.nodes.get('n1')?.status.state) === 'down', { timeout: 10_000 });
    const downAt = clock.now();
    await clock.advanceAsync(59_000);
    expect(store.view((tx) => tx.tasks.get('running')?.status.state)).toBe('running');
    await clock.advanceAsync(2_000);
    const states = store.view((tx) => Object.fromEntries(tx.tasks.all().map((t) => [t.id, t.status.state])));
    expect(states).toEqual({ assigned: 'orphaned', running: 'orphaned', done: 'complete', failed: 'failed' });
    expect(store.view((tx) => tx.tasks.get('running')?.status.message)).toBe('task orphaned: node down for longer than 1m0s');
    expect(clock.now() - downAt).toBeLessThan(62_000);
    expect(dispatcher.stats().orphaned).toBe(2);
    await dispatcher.stop();
  });

  it('does not orphan the tasks of a node that comes back in time', async () => {
    const { clock, store, network, dispatcher } = setup({ heartbeatPeriod: 1000, nodeDownPeriod: 60_000 });
    await store.update((tx) => {
      tx.nodes.create(freshNode('n1'));
      tx.tasks.create(assignedTask('t', 'n1', 'running'));
    });
    dispatcher.activate();
    const agent = new StubAgent('n1', network, clock);
    await agent.open();
    await clock.advanceAsync(30_000);
    expect(store.view((tx) => tx.nodes.get('n1')?.status.state)).toBe('down');
    await agent.open();
    await clock.advanceAsync(1_000);
    const stop = keepAlive(agent, clock, 1000);
    await clock.advanceAsync(120_000);
    stop();
    expect(store.view((tx) => tx.tasks.get('t')?.status.state)).toBe('running');
    expect(store.view((tx) => tx.nodes.get('n1')?.status.state)).toBe('ready');
    await dispatcher.stop();
  });

  it('counts the down period from activation for nodes already down when it takes over', async () => {
    const { clock, store, dispatcher } = setup({ nodeDownPeriod: 10_000 });
    await store.update((tx) => {
      tx.nodes.create({ ...freshNode('n1'), status: { state: 'down', message: 'heartbeat failure' } });
      tx.tasks.create(assignedTask('t', 'n1', 'starting'));
    });
    dispatcher.activate();
    await clock.advanceAsync(9_000);
    expect(store.view((tx) => tx.tasks.get('t')?.status.state)).toBe('starting');
    await clock.advanceAsync(1_500);
    expect(store.view((tx) => tx.tasks.get('t')?.status.state)).toBe('orphaned');
    await dispatcher.stop();
  });
});
