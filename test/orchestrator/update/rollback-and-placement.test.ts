import { describe, expect, it } from 'vitest';
import { MANUAL_ROLLBACK_MESSAGE, ROLLBACK_COMPLETED_MESSAGE } from '../../../src/orchestrator/update/index.js';
import { fakeNode } from './support/fake-pipeline.js';
import { Scenario } from './support/harness.js';

describe('manual rollback', () => {
  it('swaps the spec with the previous one and rolls the tasks back', async () => {
    const s = await Scenario.create({ replicas: 3 });
    await s.setImage('app:2');
    await s.untilStatus('completed');
    const history = s.statusHistory();
    await s.rollback();
    const started = s.service();
    expect(started.updateStatus).toEqual({ state: 'rollback_started', message: MANUAL_ROLLBACK_MESSAGE, startedAt: s.clock.now() });
    expect(started.spec.task.container.image).toBe('app:1');
    expect(started.previousSpec?.task.container.image).toBe('app:2');
    expect(started.specVersion).toBe(3);
    await s.untilStatus('rollback_completed');
    expect(history.map((h) => [h.state, h.message])).toEqual([
      ['rollback_started', MANUAL_ROLLBACK_MESSAGE],
      ['rollback_completed', ROLLBACK_COMPLETED_MESSAGE],
    ]);
    expect(s.running('app:1')).toHaveLength(3);
    // Rolling back again rolls forward.
    await s.rollback();
    await s.untilStatus('rollback_completed');
    expect(s.running('app:2')).toHaveLength(3);
    await s.stop();
  });

  it('uses the rollback config, not the update config', async () => {
    const s = await Scenario.create({ replicas: 4, update: { parallelism: 1 }, rollback: { parallelism: 0 } });
    await s.setImage('app:2');
    await s.untilStatus('completed');
    const since = s.clock.now();
    await s.rollback();
    await s.untilStatus('rollback_completed');
    const rolledBack = s.createdByUpdates('app:1').filter((t) => t.meta.createdAt >= since);
    expect(rolledBack).toHaveLength(4);
    expect(new Set(rolledBack.map((t) => t.meta.version)).size).toBe(1);
    await s.stop();
  });

  it('interrupts a running update', async () => {
    const s = await Scenario.create({ replicas: 4, update: { delay: '10s' } });
    await s.setImage('app:2');
    await s.until(() => s.running('app:2').length === 1, '1m');
    await s.rollback();
    await s.untilStatus('rollback_completed', '2m');
    expect(s.running('app:1')).toHaveLength(4);
    expect(s.createdByUpdates('app:2')).toHaveLength(1);
    await s.stop();
  });
});

describe('a placement-only change', () => {
  const zoned = [fakeNode('n1', { zone: 'a' }), fakeNode('n2', { zone: 'a' }), fakeNode('n3', { zone: 'b' }), fakeNode('n4', { zone: 'b' })];

  it('restarts nothing when every task still fits', async () => {
    const s = await Scenario.create({ replicas: 4, nodes: zoned });
    const before = s.running().map((t) => t.id);
    await s.update((spec) => ({ ...spec, task: { ...spec.task, placement: { constraints: ['node.labels.zone!=c'] } } }));
    await s.clock.advanceAsync('1m');
    expect(s.running().map((t) => t.id)).toEqual(before);
    expect(s.createdByUpdates()).toEqual([]);
    expect(s.service().updateStatus).toBeUndefined();
    await s.stop();
  });

  it('moves only the tasks whose node no longer fits', async () => {
    const s = await Scenario.create({ replicas: 4, nodes: zoned });
    const before = s.running();
    const inA = before.filter((t) => t.nodeId === 'n1' || t.nodeId === 'n2').map((t) => t.id);
    expect(inA).toHaveLength(2);
    await s.update((spec) => ({ ...spec, task: { ...spec.task, placement: { constraints: ['node.labels.zone==a'] } } }));
    await s.untilStatus('completed');
    const after = s.running();
    expect(after).toHaveLength(4);
    expect(after.every((t) => t.nodeId === 'n1' || t.nodeId === 'n2')).toBe(true);
    // The tasks already in zone a kept running, untouched.
    expect(after.filter((t) => inA.includes(t.id))).toHaveLength(2);
    expect(s.createdByUpdates()).toHaveLength(2);
    await s.stop();
  });
});
