import { describe, expect, it } from 'vitest';
import { OLD_TASK_STOP_TIMEOUT_MS } from '../../../src/orchestrator/update/index.js';
import { Scenario } from './support/harness.js';

/** The commit indexes of the transactions that created app:2 tasks from now on. */
function creationCommits(s: Scenario): Set<number> {
  const commits = new Set<number>();
  s.store.watch({ kind: 'task' }).subscribe((ev) => {
    if (ev.type === 'create' && ev.object.spec.container.image === 'app:2') commits.add(ev.index);
  });
  return commits;
}

function distinct(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

describe('parallelism', () => {
  it('updates two slots at a time with parallelism 2', async () => {
    const s = await Scenario.create({ replicas: 6, nodes: 6, update: { parallelism: 2 } });
    const counts = s.track('app:2');
    await s.setImage('app:2');
    await s.untilStatus('completed');
    const created = s.createdByUpdates('app:2');
    expect(created).toHaveLength(6);
    // Three rounds of two, each round created in one transaction.
    expect(distinct(created.map((t) => t.meta.createdAt))).toHaveLength(3);
    expect(counts.maxInFlight).toBe(2);
    expect(s.running('app:2')).toHaveLength(6);
    await s.stop();
  });

  it('updates every slot at once with parallelism 0, in one transaction', async () => {
    const s = await Scenario.create({ replicas: 6, nodes: 6, update: { parallelism: 0 } });
    const counts = s.track('app:2');
    const commits = creationCommits(s);
    await s.setImage('app:2');
    await s.untilStatus('completed');
    expect(s.createdByUpdates('app:2')).toHaveLength(6);
    expect(commits.size).toBe(1);
    expect(counts.maxInFlight).toBe(6);
    await s.stop();
  });

  it('batches the writes of many slots: 1,000 slots with parallelism 0 take 10 transactions of 200 changes', async () => {
    const s = await Scenario.create({ replicas: 1000, nodes: 20, update: { parallelism: 0 } });
    const commits = creationCommits(s);
    await s.setImage('app:2');
    await s.untilStatus('completed');
    // Each slot is one atomic step (new task + old task's shutdown); the store commits 200 changes at a time.
    expect(commits.size).toBe(10);
    expect(s.running('app:2')).toHaveLength(1000);
    await s.stop();
  });

  it('honours the delay between the slots of a worker', async () => {
    const s = await Scenario.create({ replicas: 3, update: { parallelism: 1, delay: '10s' } });
    await s.setImage('app:2');
    await s.untilStatus('completed', '5m');
    const created = s.createdByUpdates('app:2');
    expect(created).toHaveLength(3);
    for (let i = 1; i < created.length; i++) {
      const previous = created[i - 1];
      const next = created[i];
      // The next slot starts exactly `delay` after the previous new task ran.
      expect((next?.meta.createdAt ?? 0) - (previous?.status.timestamp ?? 0)).toBe(10_000);
    }
    await s.stop();
  });

  it('updates a global service node by node, keeping each new task on its node', async () => {
    const s = await Scenario.create({ global: true, nodes: 3, update: { parallelism: 1 } });
    const before = new Map(s.running('app:1').map((t) => [t.nodeId, t.id]));
    await s.setImage('app:2');
    await s.untilStatus('completed');
    const after = s.running('app:2');
    expect(after.map((t) => t.nodeId).sort()).toEqual(['n1', 'n2', 'n3']);
    expect(after.every((t) => t.slot === 0)).toBe(true);
    expect(distinct(s.createdByUpdates('app:2').map((t) => t.meta.createdAt))).toHaveLength(3);
    expect(before.size).toBe(3);
    await s.stop();
  });
});

describe('update order', () => {
  it('start-first never drops below the replica count and briefly runs one extra task per worker', async () => {
    const s = await Scenario.create({ replicas: 4, update: { order: 'start-first', parallelism: 1 } });
    const counts = s.track();
    await s.setImage('app:2');
    await s.untilStatus('completed');
    expect(counts.minRunning).toBeGreaterThanOrEqual(4);
    expect(counts.maxActive).toBe(5);
    expect(s.running('app:2')).toHaveLength(4);
    expect(s.tasks().filter((t) => t.spec.container.image === 'app:1').every((t) => t.status.state === 'shutdown')).toBe(true);
    await s.stop();
  });

  it('stop-first never exceeds the replica count and briefly runs one task fewer per worker', async () => {
    const s = await Scenario.create({ replicas: 4, update: { order: 'stop-first', parallelism: 1 } });
    const counts = s.track();
    await s.setImage('app:2');
    await s.untilStatus('completed');
    expect(counts.maxActive).toBeLessThanOrEqual(4);
    expect(counts.minRunning).toBe(3);
    expect(s.running('app:2')).toHaveLength(4);
    await s.stop();
  });

  describe('stop-first waits for the old task to stop', () => {
    /** One replica on n1, whose agent hangs; n1 takes no new tasks, so the new one goes to n2. */
    async function hungOldTask(): Promise<Scenario> {
      const s = await Scenario.create({ replicas: 1, nodes: 2 });
      expect(s.running()[0]?.nodeId).toBe('n1');
      s.pipeline.frozen.add('n1');
      await s.store.update((tx) => tx.nodes.update('n1', (d) => void (d.spec.availability = 'pause')));
      await s.setImage('app:2');
      await s.until(() => s.createdByUpdates('app:2')[0]?.status.state === 'ready', '1m');
      return s;
    }

    it('holds the new task at desired ready while the old one runs, and starts it once the old one stopped', async () => {
      const s = await hungOldTask();
      await s.clock.advanceAsync('30s');
      expect(s.createdByUpdates('app:2')[0]?.desiredState).toBe('ready');
      s.pipeline.frozen.delete('n1');
      await s.untilStatus('completed', '1m');
      expect(s.running().map((t) => [t.spec.container.image, t.nodeId])).toEqual([['app:2', 'n2']]);
      await s.stop();
    });

    it("starts the new task at once when the old task's node goes down", async () => {
      const s = await hungOldTask();
      const at = s.clock.now();
      await s.store.update((tx) => tx.nodes.update('n1', (d) => void (d.status = { state: 'down' })));
      await s.until(() => s.createdByUpdates('app:2')[0]?.desiredState === 'running', '1s');
      expect(s.clock.now() - at).toBeLessThan(1000);
      await s.stop();
    });

    it('starts the new task anyway after a minute', async () => {
      const s = await hungOldTask();
      const created = s.createdByUpdates('app:2')[0];
      await s.until(() => s.createdByUpdates('app:2')[0]?.desiredState === 'running', '2m');
      expect(s.clock.now() - (created?.meta.createdAt ?? 0)).toBe(OLD_TASK_STOP_TIMEOUT_MS);
      await s.untilStatus('completed', '1m');
      await s.stop();
    });
  });
});
