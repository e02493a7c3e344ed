import { describe, expect, it } from 'vitest';
import { FakeExecutor } from './support/fake-executor.js';
import { Harness } from './support/harness.js';

describe('Agent adoption after a restart', () => {
  it('adopts running tasks without starting duplicates, and keeps driving them', async () => {
    const h = new Harness();
    const { executor, agent } = await h.node('n1');
    await h.assign('t1', 'n1');
    await h.assign('t2', 'n1');
    await h.until(() => h.state('t1') === 'running' && h.state('t2') === 'running');
    await agent.stop();
    expect(executor.container('t1').state).toBe('running'); // stopping the agent leaves tasks alone
    await h.clock.advanceAsync(2_000);
    const restarted = h.startAgent('n1', executor);
    await h.until(() => restarted.stats().fullSets === 1, 10_000);
    await h.clock.advanceAsync(1_000);
    expect(executor.container('t1').starts).toBe(1);
    expect(executor.container('t2').starts).toBe(1);
    expect(executor.log.filter((l) => l.startsWith('start ')).length).toBe(2);
    // Still driven: a desired-state change reaches the adopted task.
    await h.store.update((tx) => tx.tasks.update('t1', (t) => void (t.desiredState = 'shutdown')));
    await h.until(() => h.state('t1') === 'shutdown', 5_000);
    expect(h.state('t2')).toBe('running');
    await h.stop();
  });

  it('reports the exit of a task that ended while no agent was running', async () => {
    const h = new Harness();
    const { executor, agent } = await h.node('n1');
    await h.assign('t1', 'n1');
    await h.until(() => h.state('t1') === 'running');
    await agent.stop();
    executor.container('t1').end({ exitCode: 2 });
    const restarted = h.startAgent('n1', executor);
    await h.until(() => h.state('t1') === 'failed', 10_000);
    expect(h.status('t1')).toMatchObject({ exitCode: 2, message: 'task: non-zero exit (2)' });
    expect(executor.container('t1').starts).toBe(1);
    expect(restarted.connected).toBe(true);
    await h.stop();
  });

  it('adopts a task the store still shows as assigned but whose container already runs', async () => {
    const h = new Harness();
    await h.addNode('n1');
    const executor = new FakeExecutor(h.clock, 'n1');
    executor.seed('t1', 'running');
    await h.assign('t1', 'n1');
    h.startAgent('n1', executor);
    await h.until(() => h.state('t1') === 'running', 10_000);
    expect(executor.container('t1').starts).toBe(1);
    await h.stop();
  });

  it('fails a task the store shows running whose container is gone', async () => {
    const h = new Harness();
    await h.addNode('n1');
    await h.assign('t1', 'n1');
    await h.store.update((tx) => tx.tasks.update('t1', (t) => void (t.status = { state: 'running', timestamp: 0, message: 'started' })));
    const executor = new FakeExecutor(h.clock, 'n1'); // a fresh engine: the node rebooted
    h.startAgent('n1', executor);
    await h.until(() => h.state('t1') === 'failed', 10_000);
    expect(h.status('t1')?.err).toBe('task: container no longer exists');
    expect(executor.container('t1').starts).toBe(0);
    await h.stop();
  });

  it('removes runtime objects of tasks the cluster no longer assigns to the node, and keeps the rest', async () => {
    const h = new Harness();
    await h.addNode('n1');
    const executor = new FakeExecutor(h.clock, 'n1');
    executor.seed('ghost', 'running');
    executor.seed('old-exited', 'exited', { exitCode: 0 });
    executor.seed('kept', 'exited', { exitCode: 0 });
    await h.assign('kept', 'n1');
    await h.store.update((tx) => tx.tasks.update('kept', (t) => void (t.status = { state: 'complete', timestamp: 0, message: 'finished', exitCode: 0 })));
    const agent = h.startAgent('n1', executor);
    await h.until(() => executor.removed.length === 2, 10_000);
    expect(executor.removed.sort()).toEqual(['ghost', 'old-exited']);
    expect(executor.log).toContain('shutdown ghost grace=10000');
    expect(executor.containers.has('kept')).toBe(true);
    expect(agent.stats().tasks).toBe(1);
    await h.stop();
  });

  it('does not remove anything before the first full set arrives (managers unreachable)', async () => {
    const h = new Harness();
    await h.addNode('n1');
    const executor = new FakeExecutor(h.clock, 'n1');
    executor.seed('t1', 'running');
    h.network.isolate('n1');
    h.startAgent('n1', executor);
    await h.clock.advanceAsync(60_000);
    expect(executor.removed).toEqual([]);
    expect(executor.container('t1').state).toBe('running');
    await h.stop();
  });
});
