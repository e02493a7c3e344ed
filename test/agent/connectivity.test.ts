import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/dispatcher/index.js';
import { Agent, INITIAL_SESSION_BACKOFF_MS, MAX_SESSION_BACKOFF_MS } from '../../src/agent/index.js';
import { FakeExecutor } from './support/fake-executor.js';
import { Harness } from './support/harness.js';

describe('Agent connectivity', () => {
  it('keeps tasks running while the managers are unreachable, backs off from 100 ms to 8 s, and resumes', async () => {
    const seed = 7;
    const h = new Harness({ seed });
    const { executor, agent } = await h.node('n1');
    executor.script = (t) => (t.id === 'short' ? { runMs: 20_000, exitCode: 0 } : {});
    await h.assign('long', 'n1');
    await h.assign('short', 'n1');
    await h.until(() => h.state('long') === 'running' && h.state('short') === 'running');

    // First transmission of each session-open request (retransmissions carry the same id).
    const firstSend = new Map<string, number>();
    h.network.onTrace((ev) => {
      const m = ev.message as { type?: string; method?: string; id?: string };
      if (ev.kind === 'send' && ev.from === 'n1' && m.type === 'request' && m.method === 'dispatcher.open' && !firstSend.has(m.id as string)) {
        firstSend.set(m.id as string, ev.at);
      }
    });
    h.network.isolate('n1');
    await h.until(() => h.store.view((tx) => tx.nodes.get('n1')?.status.state) === 'down', 10_000);
    await h.clock.advanceAsync(60_000);
    // The task that exited meanwhile is known locally, not yet in the store.
    expect(executor.container('short').state).toBe('exited');
    expect(h.state('short')).toBe('running');
    expect(executor.container('long').state).toBe('running');
    expect(executor.log.filter((l) => l.startsWith('shutdown'))).toEqual([]);
    expect(agent.connected).toBe(false);

    const attempts = [...firstSend.values()];
    // Backoff: gaps between attempts grow (each attempt also waits for its 3 s deadline) up to 8 s.
    const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] as number) - 3_000);
    expect(attempts.length, `seed ${seed}`).toBeGreaterThan(5);
    expect(gaps[0]).toBeGreaterThanOrEqual(INITIAL_SESSION_BACKOFF_MS / 2);
    expect(gaps[0]).toBeLessThanOrEqual(INITIAL_SESSION_BACKOFF_MS + 1);
    for (const g of gaps) expect(g).toBeLessThanOrEqual(MAX_SESSION_BACKOFF_MS + 1);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(MAX_SESSION_BACKOFF_MS / 2);
    expect(agent.stats().failedAttempts).toBe(attempts.length);

    h.network.heal();
    await h.until(() => h.store.view((tx) => tx.nodes.get('n1')?.status.state) === 'ready', 20_000);
    await h.until(() => h.state('short') === 'complete', 5_000);
    expect(h.state('long')).toBe('running');
    expect(executor.container('long').starts).toBe(1);
    expect(agent.stats()).toMatchObject({ connected: true, sessions: 2, unacknowledged: 0 });
    await h.stop();
  });

  it('follows a redirect from a follower to the leader', async () => {
    const h = new Harness();
    await h.addNode('n1');
    const m2 = h.network.endpoint('m2');
    // m1 (the harness's dispatcher) steps down; m2 leads.
    h.dispatcher.deactivate();
    const leader = new Dispatcher({ store: h.store, clock: h.clock, random: h.random.fork('m2'), endpoint: m2, leaderAddress: () => 'm2' });
    h.leader = 'm2';
    leader.activate();
    const executor = new FakeExecutor(h.clock);
    const agent = h.startAgent('n1', executor);
    await h.until(() => agent.connected, 5_000);
    expect(agent.stats().manager).toBe('m2');
    expect(h.store.view((tx) => tx.nodes.get('n1')?.status)).toMatchObject({ state: 'ready', addr: 'n1' });
    await h.stop();
    await leader.stop();
  });

  it('moves to the new leader when its dispatcher loses leadership', async () => {
    const h = new Harness();
    const { agent } = await h.node('n1');
    await h.assign('t1', 'n1');
    await h.until(() => h.state('t1') === 'running');
    const m2 = h.network.endpoint('m2');
    const leader = new Dispatcher({ store: h.store, clock: h.clock, random: h.random.fork('m2'), endpoint: m2, leaderAddress: () => 'm2', heartbeatPeriod: 1000 });
    h.leader = 'm2';
    h.dispatcher.deactivate();
    leader.activate();
    await h.until(() => agent.stats().manager === 'm2', 10_000);
    await h.until(() => h.store.view((tx) => tx.nodes.get('n1')?.status.state) === 'ready', 10_000);
    await h.store.update((tx) => tx.tasks.update('t1', (t) => void (t.desiredState = 'shutdown')));
    await h.until(() => h.state('t1') === 'shutdown', 10_000);
    await h.stop();
    await leader.stop();
  });

  it('recovers lost assignment increments by fetching the full set', async () => {
    const h = new Harness({ seed: 3 });
    const { executor } = await h.node('n1');
    await h.assign('t1', 'n1');
    await h.until(() => h.state('t1') === 'running');
    h.network.setLink('m1', 'n1', { dropRate: 1 });
    await h.store.update((tx) => tx.tasks.update('t1', (t) => void (t.desiredState = 'shutdown')));
    await h.clock.advanceAsync(200);
    h.network.clearLink('m1', 'n1');
    expect(executor.container('t1').state).toBe('running');
    await h.until(() => h.state('t1') === 'shutdown', 10_000);
    expect(executor.container('t1').state).toBe('exited');
    await h.stop();
  });

  it('runs on a manager, sharing the endpoint with the dispatcher', async () => {
    const h = new Harness();
    await h.addNode('m1');
    const executor = new FakeExecutor(h.clock, 'm1');
    const agent = new Agent({
      nodeId: 'm1',
      executor,
      clock: h.clock,
      random: h.random.fork('own'),
      endpoint: h.managerEndpoint,
      managers: () => ['m1'],
    });
    agent.start();
    await h.assign('t1', 'm1');
    await h.until(() => h.state('t1') === 'running', 10_000);
    expect(h.store.view((tx) => tx.nodes.get('m1')?.status)).toMatchObject({ state: 'ready', addr: 'm1' });
    await agent.stop();
    await h.stop();
  });

  it('survives a lossy, duplicating, reordering network and converges', async () => {
    for (const seed of [21, 22]) {
      const h = new Harness({ seed });
      const { executor } = await h.node('n1');
      executor.script = (t) => (t.id.endsWith('0') ? { runMs: 3_000, exitCode: 1 } : {});
      h.network.configure({ dropRate: 0.2, duplicateRate: 0.1, reorderRate: 0.2, reorderDelay: 20 });
      for (let i = 0; i < 20; i++) await h.assign(`t${i}`, 'n1');
      const done = (): boolean => {
        for (let i = 0; i < 20; i++) if (h.state(`t${i}`) !== (i % 10 === 0 ? 'failed' : 'running')) return false;
        return true;
      };
      await h.until(done, 120_000);
      for (let i = 0; i < 20; i++) expect(executor.container(`t${i}`).starts, `seed ${seed}`).toBe(1);
      await h.stop();
    }
  });

  it('keeps its node ready with heartbeats at the period the dispatcher hands out', async () => {
    const h = new Harness({ heartbeatPeriod: 2_000 });
    const { agent } = await h.node('n1');
    let heartbeats = 0;
    h.network.onTrace((ev) => {
      const m = ev.message as { type?: string; method?: string };
      if (ev.kind === 'send' && ev.from === 'n1' && m.type === 'request' && m.method === 'dispatcher.heartbeat') heartbeats++;
    });
    let downs = 0;
    h.store.watch({ kind: 'node' }).subscribe((ev) => {
      if (ev.type === 'update' && ev.object.status.state !== 'ready') downs++;
    });
    await h.clock.advanceAsync(600_000);
    expect(downs).toBe(0);
    expect(h.store.view((tx) => tx.nodes.get('n1')?.status.state)).toBe('ready');
    // 600 s at 2 s ± 10 %: about 300 heartbeats.
    expect(heartbeats).toBeGreaterThan(270);
    expect(heartbeats).toBeLessThan(335);
    expect(agent.stats().sessions).toBe(1);
    await h.stop();
  });

  it('replays exactly from its seed', async () => {
    const run = async (seed: number) => {
      const h = new Harness({ seed });
      const { executor } = await h.node('n1');
      executor.script = (t) => ({ prepareMs: 30, runMs: t.id === 't1' ? 4_000 : undefined, exitCode: 1 });
      h.network.configure({ dropRate: 0.1, duplicateRate: 0.1, reorderRate: 0.1 });
      for (let i = 0; i < 5; i++) await h.assign(`t${i}`, 'n1');
      await h.clock.advanceAsync(30_000);
      const out = { stats: h.network.stats(), tasks: h.store.view((tx) => tx.tasks.all().map((t) => [t.id, t.status.state, t.status.timestamp, t.meta.version])) };
      await h.stop();
      return out;
    };
    const a = await run(42);
    const b = await run(42);
    expect(b).toEqual(a);
    expect(a.tasks.find((t) => t[0] === 't1')?.[1]).toBe('failed');
  });
});
