import { describe, expect, it } from 'vitest';
import { StubAgent, freshNode, setup } from './support.js';

describe('Dispatcher activation after a leader change', () => {
  it('moves nodes that were not down to unknown, and keeps those that check in ready', async () => {
    const { clock, store, network, dispatcher } = setup({ heartbeatPeriod: 1000 });
    await store.update((tx) => {
      for (const id of ['n1', 'n2']) tx.nodes.create({ ...freshNode(id), status: { state: 'ready', addr: id } });
      tx.nodes.create({ ...freshNode('n3'), status: { state: 'down', message: 'heartbeat failure' } });
    });
    dispatcher.activate();
    await dispatcher.flush();
    const states = () => store.view((tx) => tx.nodes.all().map((n) => [n.id, n.status.state]));
    expect(states()).toEqual([
      ['n1', 'unknown'],
      ['n2', 'unknown'],
      ['n3', 'down'],
    ]);
    expect(store.view((tx) => tx.nodes.get('n1')?.status)).toMatchObject({ addr: 'n1', message: expect.stringContaining('leadership change') });
    const a1 = new StubAgent('n1', network, clock);
    await clock.advanceAsync(5000); // within the 6-period grace
    await a1.open();
    expect(store.view((tx) => tx.nodes.get('n1')?.status.state)).toBe('ready');
    expect(store.view((tx) => tx.nodes.get('n2')?.status.state)).toBe('unknown');
    await clock.advanceUntilAsync(() => store.view((tx) => tx.nodes.get('n2')?.status.state) === 'down', { timeout: 5000 });
    expect(clock.now() - 1_000_000).toBeGreaterThanOrEqual(6000);
    expect(clock.now() - 1_000_000).toBeLessThan(6200);
    expect(store.view((tx) => tx.nodes.get('n2')?.status.message)).toBe('heartbeat failure for node in "unknown" state');
    await dispatcher.stop();
  });

  it('drops its sessions when deactivated, so agents must open new ones with the next leader', async () => {
    const { clock, store, network, dispatcher } = setup();
    await store.update((tx) => tx.nodes.create(freshNode('n1')));
    dispatcher.activate();
    const agent = new StubAgent('n1', network, clock);
    await agent.open();
    dispatcher.deactivate();
    expect(dispatcher.stats()).toMatchObject({ active: false, sessions: 0 });
    dispatcher.activate();
    await expect(agent.heartbeat()).rejects.toMatchObject({ name: 'SessionInvalidError' });
    await dispatcher.stop();
  });
});
