import { describe, expect, it } from 'vitest';
import {
  ROLLBACK_COMPLETED_MESSAGE,
  UPDATE_COMPLETED_MESSAGE,
  updatePausedMessage,
  updateRolledBackMessage,
} from '../../../src/orchestrator/update/index.js';
import type { Behaviour } from './support/fake-pipeline.js';
import { Scenario } from './support/harness.js';

/** The new image never starts: every app:2 task fails while starting. */
const BROKEN_V2: Behaviour = (task) => (task.spec.container.image === 'app:2' ? 'fail-on-start' : 'ok');

const ORDERS = ['stop-first', 'start-first'] as const;

describe.each(ORDERS)('a failing update with order %s', (order) => {
  it('pauses with failure action pause: the status names the failed task and no further slot is touched', async () => {
    const s = await Scenario.create({ replicas: 3, behaviour: BROKEN_V2, update: { order, failureAction: 'pause' } });
    const originals = s.running('app:1');
    const bySlot = (slots: number[]): string[] => originals.filter((t) => slots.includes(t.slot)).map((t) => t.id);
    const counts = s.track();
    const history = s.statusHistory();
    await s.setImage('app:2');
    await s.untilStatus('paused');
    const first = s.createdByUpdates('app:2')[0];
    expect(first).toBeDefined();
    expect(s.service().updateStatus?.message).toBe(updatePausedMessage(first?.id ?? ''));
    expect(history.map((h) => h.state)).toEqual(['updating', 'paused']);
    // A minute later: still paused, exactly one task created by the update, slots 2 and 3 untouched.
    await s.clock.advanceAsync('1m');
    expect(s.service().updateStatus?.state).toBe('paused');
    expect(s.createdByUpdates()).toHaveLength(1);
    const stillRunning = s.running('app:1').map((t) => t.id);
    if (order === 'start-first') {
      expect(stillRunning).toEqual(bySlot([1, 2, 3])); // the old task of slot 1 was never stopped
      expect(counts.minRunning).toBeGreaterThanOrEqual(3);
    } else {
      expect(stillRunning).toEqual(bySlot([2, 3]));
    }
    await s.stop();
  });

  it('goes on with failure action continue and completes', async () => {
    const s = await Scenario.create({ replicas: 3, behaviour: BROKEN_V2, update: { order, failureAction: 'continue' } });
    const counts = s.track();
    await s.setImage('app:2');
    await s.untilStatus('completed');
    expect(s.service().updateStatus?.message).toBe(UPDATE_COMPLETED_MESSAGE);
    // Every slot got a new task despite the failures.
    expect(new Set(s.createdByUpdates('app:2').map((t) => t.slot))).toEqual(new Set([1, 2, 3]));
    if (order === 'start-first') {
      // The new tasks never ran, so the old ones were never stopped.
      expect(s.running('app:1')).toHaveLength(3);
      expect(counts.minRunning).toBeGreaterThanOrEqual(3);
    } else {
      expect(s.running('app:1')).toHaveLength(0);
    }
    await s.stop();
  });

  it('rolls back automatically with failure action rollback, and the rollback completes', async () => {
    const s = await Scenario.create({ replicas: 3, behaviour: BROKEN_V2, update: { order, failureAction: 'rollback' }, rollback: { order } });
    const history = s.statusHistory();
    await s.setImage('app:2');
    await s.untilStatus('rollback_completed');
    const first = s.createdByUpdates('app:2')[0];
    expect(history).toEqual([
      expect.objectContaining({ state: 'updating' }),
      expect.objectContaining({ state: 'rollback_started', message: updateRolledBackMessage(first?.id ?? '') }),
      expect.objectContaining({ state: 'rollback_completed', message: ROLLBACK_COMPLETED_MESSAGE }),
    ]);
    const service = s.service();
    expect(service.spec.task.container.image).toBe('app:1');
    expect(service.specVersion).toBe(3);
    expect(service.previousSpec).toBeUndefined();
    expect(service.updateStatus?.completedAt).toBeGreaterThan(service.updateStatus?.startedAt ?? Infinity);
    await s.until(() => s.running('app:1').length === 3, '1m');
    expect(s.tasks().filter((t) => t.desiredState === 'running' && t.spec.container.image === 'app:2')).toEqual([]);
    await s.stop();
  });
});

describe.each(ORDERS)('a new task that crashes during its monitoring period, with order %s', (order) => {
  it('triggers the automatic rollback after it ran, and the rollback restores the old tasks', async () => {
    const crashing: Behaviour = (task) => (task.spec.container.image === 'app:2' ? { crashAfterMs: 2000 } : 'ok');
    const s = await Scenario.create({ replicas: 3, behaviour: crashing, update: { order, monitor: '5s', failureAction: 'rollback' }, rollback: { order } });
    const history = s.statusHistory();
    await s.setImage('app:2');
    await s.untilStatus('rollback_completed');
    const first = s.createdByUpdates('app:2')[0];
    // It did run before it crashed: a failure of the monitoring period, not of the start.
    expect(first?.status.state).toBe('failed');
    expect(history.map((h) => h.state)).toEqual(['updating', 'rollback_started', 'rollback_completed']);
    expect(history[1]?.message).toBe(updateRolledBackMessage(first?.id ?? ''));
    // Monitoring does not hold the update back (only delay does): later slots were updated too,
    // and the rollback took them all back.
    await s.until(() => s.running('app:1').length === 3, '1m');
    expect(s.tasks().filter((t) => t.spec.container.image === 'app:2' && t.desiredState === 'running')).toEqual([]);
    await s.stop();
  });
});

describe('a rollback that fails', () => {
  /** app:2 fails in slot 2 only; once the rollback has started, every task fails while starting. */
  function breakRollback(s: Scenario): void {
    s.pipeline.behaviour = (task) => {
      if (s.service().updateStatus?.state === 'rollback_started') return 'fail-on-start';
      return task.spec.container.image === 'app:2' && task.slot === 2 ? 'fail-on-start' : 'ok';
    };
  }

  it.each(ORDERS)('goes on despite failures when the rollback failure action is continue (%s)', async (order) => {
    const s = await Scenario.create({ replicas: 3, update: { order, failureAction: 'rollback' }, rollback: { order, failureAction: 'continue' } });
    breakRollback(s);
    const history = s.statusHistory();
    await s.setImage('app:2');
    await s.untilStatus('rollback_completed');
    expect(history.map((h) => h.state)).toEqual(['updating', 'rollback_started', 'rollback_completed']);
    // The rollback replaced slot 1's app:2 task, though its replacement failed.
    expect(s.createdByUpdates('app:1').filter((t) => t.slot === 1)).not.toEqual([]);
    await s.stop();
  });

  it.each(ORDERS)('sets rollback_paused with a rollback message when the rollback failure action is pause (%s)', async (order) => {
    const s = await Scenario.create({ replicas: 3, update: { order, failureAction: 'rollback' }, rollback: { order, failureAction: 'pause' } });
    breakRollback(s);
    await s.setImage('app:2');
    await s.untilStatus('rollback_paused');
    const failed = s.createdByUpdates('app:1')[0];
    expect(failed?.status.state).toBe('failed');
    expect(s.service().updateStatus?.message).toBe(`rollback paused due to failure or early termination of task ${failed?.id ?? ''}`);
    // Paused means paused: nothing more happens.
    const created = s.createdByUpdates().length;
    await s.clock.advanceAsync('1m');
    expect(s.createdByUpdates()).toHaveLength(created);
    expect(s.service().updateStatus?.state).toBe('rollback_paused');
    await s.stop();
  });

  it('never rolls back a rollback: failure action rollback acts as pause while rolling back', async () => {
    const s = await Scenario.create({ replicas: 3, update: { failureAction: 'rollback' } });
    breakRollback(s);
    // A rollback config asking to roll back, which validation refuses; the updater copes.
    await s.update(
      (spec) => ({
        ...spec,
        task: { ...spec.task, container: { ...spec.task.container, image: 'app:2' } },
        rollback: { ...spec.rollback, failureAction: 'rollback' },
      }),
      { validate: false },
    );
    await s.untilStatus('rollback_paused');
    expect(s.service().spec.task.container.image).toBe('app:1');
    expect(s.service().specVersion).toBe(3);
    await s.stop();
  });
});

describe('pause with a single replica (SwarmKit #1245)', () => {
  it.each(ORDERS)('pauses when the only slot fails (%s): 1 failure / 1 slot exceeds a ratio of 0', async (order) => {
    const s = await Scenario.create({ replicas: 1, behaviour: BROKEN_V2, update: { order, parallelism: 1, failureAction: 'pause' } });
    await s.setImage('app:2');
    await s.untilStatus('paused', '1m');
    if (order === 'start-first') expect(s.running('app:1')).toHaveLength(1);
    await s.stop();
  });

  it('rolls a single replica back', async () => {
    const s = await Scenario.create({ replicas: 1, behaviour: BROKEN_V2, update: { failureAction: 'rollback' } });
    await s.setImage('app:2');
    await s.untilStatus('rollback_completed', '1m');
    await s.until(() => s.running('app:1').length === 1, '1m');
    await s.stop();
  });
});
