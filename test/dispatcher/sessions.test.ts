import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/errors/index.js';
import { NotLeaderError } from '../../src/raft/index.js';
import { Dispatcher, SessionInvalidError } from '../../src/dispatcher/index.js';
import { Random } from '../../src/runtime/index.js';
import { DESCRIPTION, StubAgent, freshNode, keepAlive, setup } from './support.js';

describe('Dispatcher sessions and node liveness', () => {
  it('opens a session for a known node and marks it ready with its description and address', async () => {
    const { clock, store, network, dispatcher } = setup();
    await store.update((tx) => tx.nodes.create(freshNode('n1')));
    dispatcher.start();
    dispatcher.activate();
    const agent = new StubAgent('n1', network, clock, 'worker-1');
    const r = await agent.open();
    expect(r.sessionId).toMatch(/^[0-9a-z]{25}$/);
    expect(r.heartbeatPeriod).toBeGreaterThanOrEqual(4500);
    expect(r.heartbeatPeriod).toBeLessThanOrEqual(5500);
    const n = store.view((tx) => tx.nodes.get('n1'));
    expect(n?.status).toEqual({ state: 'ready', addr: 'worker-1' });
    expect(n?.description).toEqual(DESCRIPTION);
    expect(dispatcher.stats().sessions).toBe(1);
    await dispatcher.stop();
  });

  it('refuses a node the store does not know with NotFoundError', async () => {
    const { clock, network, dispatcher } = setup();
    dispatcher.activate();
    const agent = new StubAgent('ghost', network, clock);
    const err = await agent.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ kind: 'node', key: 'ghost' });
    await dispatcher.stop();
  });

  it('answers with a redirect to the leader while inactive', async () => {
    const { clock, store, network, endpoint } = setup();
    await store.update((tx) => tx.nodes.create(freshNode('n1')));
    const follower = new Dispatcher({ store, clock, random: Random.fromSeed(2), endpoint, leaderAddress: () => 'm2' });
    follower.start();
    const agent = new StubAgent('n1', network, clock);
    const err = await agent.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotLeaderError);
    expect((err as NotLeaderError).leader).toBe('m2');
    follower.activate();
    await expect(agent.open()).resolves.toMatchObject({ sessionId: expect.any(String) });
    follower.deactivate();
    expect(await agent.heartbeat().catch((e: unknown) => e)).toBeInstanceOf(NotLeaderError);
    await follower.stop();
  });

  it('keeps a heartbeating node ready, and marks a silent one down after three periods', async () => {
    const { clock, store, network, dispatcher } = setup({ heartbeatPeriod: 1000 });
    await store.update((tx) => {
      tx.nodes.create(freshNode('n1'));
      tx.nodes.create(freshNode('n2'));
    });
    dispatcher.activate();
    const a1 = new StubAgent('n1', network, clock);
    const a2 = new StubAgent('n2', network, clock);
    await a1.open();
    const opened = clock.now();
    await a2.open();
    keepAlive(a1, clock, 1000);
    await clock.advanceUntilAsync(() => store.view((tx) => tx.nodes.get('n2')?.status.state) === 'down', { timeout: 10_000 });
    const downAt = clock.now();
    expect(downAt - opened).toBeGreaterThanOrEqual(3000);
    expect(downAt - opened).toBeLessThan(3300);
    expect(store.view((tx) => tx.nodes.get('n2')?.status)).toEqual({ state: 'down', message: 'heartbeat failure', addr: 'n2' });
    await clock.advanceAsync(30_000);
    expect(store.view((tx) => tx.nodes.get('n1')?.status.state)).toBe('ready');
    // The down node's session is gone: it must open a new one.
    expect(await a2.heartbeat().catch((e: unknown) => e)).toBeInstanceOf(SessionInvalidError);
    await a2.open();
    expect(store.view((tx) => tx.nodes.get('n2')?.status.state)).toBe('ready');
    await dispatcher.stop();
  });

  it('hands out heartbeat periods with ±10 % jitter from the cluster setting', async () => {
    const { clock, store, network, dispatcher } = setup();
    await store.update((tx) => {
      tx.nodes.create(freshNode('n1'));
      tx.clusters.create({ id: 'c1', spec: { name: 'default', dispatcher: { heartbeatPeriod: '2s' } } });
    });
    dispatcher.activate();
    const agent = new StubAgent('n1', network, clock);
    await agent.open();
    const periods = new Set<number>();
    for (let i = 0; i < 30; i++) periods.add((await agent.heartbeat()).period);
    for (const p of periods) {
      expect(p).toBeGreaterThanOrEqual(1800);
      expect(p).toBeLessThanOrEqual(2200);
    }
    expect(periods.size).toBeGreaterThan(10);
    await dispatcher.stop();
  });

  it('marks a node that closes its session disconnected, then down if it does not return', async () => {
    const { clock, store, network, dispatcher } = setup({ heartbeatPeriod: 1000 });
    await store.update((tx) => tx.nodes.create(freshNode('n1')));
    dispatcher.activate();
    const agent = new StubAgent('n1', network, clock);
    await agent.open();
    await agent.close();
    await dispatcher.flush();
    expect(store.view((tx) => tx.nodes.get('n1')?.status)).toMatchObject({ state: 'disconnected', message: 'node closed its session' });
    await clock.advanceAsync(3500);
    expect(store.view((tx) => tx.nodes.get('n1')?.status)).toMatchObject({ state: 'down', message: 'heartbeat failure' });
    await dispatcher.stop();
  });

  it('ends the old session when a node opens a new one', async () => {
    const { clock, store, network, dispatcher } = setup();
    await store.update((tx) => tx.nodes.create(freshNode('n1')));
    dispatcher.activate();
    const agent = new StubAgent('n1', network, clock);
    const first = await agent.open();
    const second = await agent.open();
    expect(second.sessionId).not.toBe(first.sessionId);
    agent.sessionId = first.sessionId;
    expect(await agent.heartbeat().catch((e: unknown) => e)).toBeInstanceOf(SessionInvalidError);
    expect(dispatcher.stats().sessions).toBe(1);
    await dispatcher.stop();
  });
});

describe('Dispatcher and removed nodes', () => {
  it('ends the session of a node removed from the cluster, and refuses to open a new one', async () => {
    const { clock, store, network, dispatcher } = setup();
    await store.update((tx) => tx.nodes.create(freshNode('n1')));
    dispatcher.activate();
    const agent = new StubAgent('n1', network, clock);
    await agent.open();
    await store.update((tx) => tx.nodes.delete('n1'));
    expect(await agent.heartbeat().catch((e: unknown) => e)).toBeInstanceOf(SessionInvalidError);
    expect(await agent.open().catch((e: unknown) => e)).toBeInstanceOf(NotFoundError);
    expect(dispatcher.stats().sessions).toBe(0);
    await dispatcher.stop();
  });
});
