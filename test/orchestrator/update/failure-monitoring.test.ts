import { describe, expect, it } from 'vitest';
import { finalMonitorPeriod, updatePausedMessage } from '../../../src/orchestrator/update/index.js';
import type { Behaviour } from './support/fake-pipeline.js';
import { Scenario } from './support/harness.js';

/** app:2 tasks crash `ms` after they start running. */
function crashAfter(ms: number): Behaviour {
  return (task) => (task.spec.container.image === 'app:2' ? { crashAfterMs: ms } : 'ok');
}

/** When a task (still in its first run) started running. */
function runningSince(s: Scenario, id: string): number {
  const t = s.tasks().find((x) => x.id === id);
  if (t?.status.state !== 'running') throw new Error(`task ${id} is not running`);
  return t.status.timestamp;
}

describe('the monitoring period', () => {
  it('counts a task that stops within monitor of running as a failure', async () => {
    const s = await Scenario.create({ replicas: 3, behaviour: crashAfter(3000), update: { monitor: '5s' } });
    await s.setImage('app:2');
    await s.untilStatus('paused');
    const first = s.createdByUpdates('app:2')[0];
    expect(s.service().updateStatus?.message).toBe(updatePausedMessage(first?.id ?? ''));
    await s.stop();
  });

  it('ignores a task that stops after monitor: the update completes', async () => {
    const s = await Scenario.create({ replicas: 3, behaviour: crashAfter(8000), update: { monitor: '5s' } });
    await s.setImage('app:2');
    await s.untilStatus('completed');
    // Some of the update's tasks did crash, later than 5 s after they ran.
    await s.clock.advanceAsync('10s');
    expect(s.createdByUpdates('app:2').filter((t) => t.status.state === 'failed').length).toBeGreaterThan(0);
    expect(s.service().updateStatus?.state).toBe('completed');
    await s.stop();
  });

  it('counts a task that never reaches running (rejected while preparing)', async () => {
    const s = await Scenario.create({ replicas: 2, behaviour: (t) => (t.spec.container.image === 'app:2' ? 'reject' : 'ok') });
    await s.setImage('app:2');
    await s.untilStatus('paused');
    expect(s.createdByUpdates('app:2')[0]?.status.state).toBe('rejected');
    await s.stop();
  });

  it('keeps the status at updating for monitor after the last task runs, then completes', async () => {
    const s = await Scenario.create({ replicas: 2, update: { monitor: '5s', delay: 0 } });
    await s.setImage('app:2');
    await s.untilStatus('completed');
    const created = s.createdByUpdates('app:2');
    const lastRunning = Math.max(...created.map((t) => runningSince(s, t.id)));
    expect(s.service().updateStatus?.completedAt).toBe(lastRunning + 5000);
    await s.stop();
  });

  it('waits the delay and then delay + 1 s after the last slot when delay >= monitor (moby#37972)', async () => {
    expect(finalMonitorPeriod({ delay: 10_000, monitor: 5000 })).toBe(11_000);
    expect(finalMonitorPeriod({ delay: 2000, monitor: 5000 })).toBe(5000);
    const s = await Scenario.create({ replicas: 2, update: { monitor: '5s', delay: '10s' } });
    await s.setImage('app:2');
    await s.untilStatus('completed', '5m');
    const created = s.createdByUpdates('app:2');
    const lastRunning = Math.max(...created.map((t) => runningSince(s, t.id)));
    expect(s.service().updateStatus?.completedAt).toBe(lastRunning + 10_000 + 11_000);
    await s.stop();
  });

  it('rolls back when the last batch fails during the trailing delay, though later than monitor (moby#37972)', async () => {
    // Each new task crashes 7 s after it runs: after the 5 s monitor, within the 10 s delay.
    const s = await Scenario.create({ replicas: 3, behaviour: crashAfter(7000), update: { monitor: '5s', delay: '10s', failureAction: 'rollback' } });
    const history = s.statusHistory();
    await s.setImage('app:2');
    await s.untilStatus('rollback_completed', '10m');
    // Slots 1 and 2 crashed outside their 5 s window and did not count; slot 3 was the last batch.
    const byUpdate = s.createdByUpdates('app:2');
    const last = byUpdate.find((t) => t.slot === 3);
    expect(history[1]).toEqual(expect.objectContaining({ state: 'rollback_started', message: `update rolled back due to failure or early termination of task ${last?.id ?? ''}` }));
    await s.stop();
  });

  it('completes when the same crashes come after the monitor and there is no delay', async () => {
    const s = await Scenario.create({ replicas: 3, behaviour: crashAfter(7000), update: { monitor: '5s', delay: 0, failureAction: 'rollback' } });
    await s.setImage('app:2');
    await s.untilStatus('completed', '10m');
    await s.stop();
  });
});

describe('maxFailureRatio', () => {
  /** app:2 fails only in slot 1. */
  const slotOneBroken: Behaviour = (t) => (t.spec.container.image === 'app:2' && t.slot === 1 ? 'fail-on-start' : 'ok');

  it('tolerates failures up to the ratio: 1 failed slot of 4 is not more than 0.25', async () => {
    const s = await Scenario.create({ replicas: 4, behaviour: slotOneBroken, update: { maxFailureRatio: 0.25 } });
    await s.setImage('app:2');
    await s.untilStatus('completed');
    expect(s.running('app:2').map((t) => t.slot).sort()).toEqual([2, 3, 4]);
    await s.stop();
  });

  it('acts once failures exceed the ratio: 1 failed slot of 4 is more than 0.2', async () => {
    const s = await Scenario.create({ replicas: 4, behaviour: slotOneBroken, update: { maxFailureRatio: 0.2 } });
    await s.setImage('app:2');
    await s.untilStatus('paused');
    expect(s.running('app:1').map((t) => t.slot).sort()).toEqual([2, 3, 4]);
    await s.stop();
  });

  it('counts one failure per task, not per restart of its slot', async () => {
    // Slot 1 crash-loops (the orchestrator restarts it with the new image), yet only the update's
    // own task counts: 1 of 4 stays within 0.25.
    const s = await Scenario.create({ replicas: 4, behaviour: slotOneBroken, update: { maxFailureRatio: 0.25, failureAction: 'rollback' } });
    await s.setImage('app:2');
    await s.untilStatus('completed');
    const restarts = s.tasks().filter((t) => t.slot === 1 && t.spec.container.image === 'app:2' && s.orchestrator.created.has(t.id));
    expect(restarts.length).toBeGreaterThan(1);
    await s.stop();
  });
});
