import { describe, expect, it } from 'vitest';
import { createService, flush, report, setup, tasksOf, updateService } from './support/harness.js';
import { advance, end, newest, oneRunningTask, slotHistory, start } from './support/slot.js';
import { newTask } from '../../src/orchestrator/common/index.js';

describe('restart supervisor: maxAttempts and window', () => {
  it('stops replacing a slot after maxAttempts restarts', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { maxAttempts: 2, delay: 0 });
    await end(h, task.id);
    await start(h, newest(h, service.id).id);
    await end(h, newest(h, service.id).id);
    await start(h, newest(h, service.id).id);
    expect(slotHistory(h, service.id)).toHaveLength(3);
    await end(h, newest(h, service.id).id);
    await advance(h, 60_000);
    const history = slotHistory(h, service.id);
    expect(history).toHaveLength(3);
    expect(history.every((t) => t.desiredState === 'shutdown' && t.status.state === 'failed')).toBe(true);
    await h.orchestrator.stop();
  });

  it('counts attempts per slot', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { maxAttempts: 1, delay: 0 }, { replicas: 2 });
    const other = slotHistory(h, service.id, 2)[0];
    if (other === undefined) throw new Error('slot 2 not filled');
    await start(h, other.id, 'n2');
    await end(h, task.id);
    await start(h, newest(h, service.id).id);
    await end(h, newest(h, service.id).id);
    expect(slotHistory(h, service.id, 1)).toHaveLength(2); // slot 1 used its one attempt
    await end(h, other.id);
    expect(slotHistory(h, service.id, 2)).toHaveLength(2); // slot 2 still had one
    expect(newest(h, service.id, 2).desiredState).toBe('running');
    await h.orchestrator.stop();
  });

  it('starts counting again when the spec version changes', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { maxAttempts: 1, delay: 0 });
    await end(h, task.id);
    const second = newest(h, service.id);
    await start(h, second.id);
    await updateService(h.store, service.id, (s) => ({ ...s, task: { ...s.task, container: { ...s.task.container, env: ['V=2'] } } }));
    await flush();
    await end(h, second.id); // an old-version task: its version already used its attempt
    expect(slotHistory(h, service.id)).toHaveLength(2);
    // The slot is done, not empty: it goes to the updater with the new spec, which replaces it.
    const handed = h.updater.callsFor(service.id).at(-1);
    expect(handed?.specVersion).toBe(2);
    expect(handed?.slots.flat().map((t) => t.id)).toContain(second.id);
    const current = h.store.view((tx) => tx.services.getOrThrow(service.id));
    const v2 = newTask(current, { id: 'v2-task', now: h.clock.now(), slot: 1 });
    await h.store.update((tx) => void tx.tasks.create(v2));
    await flush();
    // Tasks of version 2 get their own attempt.
    await start(h, v2.id);
    await end(h, v2.id);
    expect(newest(h, service.id)).toMatchObject({ specVersion: 2, desiredState: 'running' });
    expect(newest(h, service.id).id).not.toBe(v2.id);
    await h.orchestrator.stop();
  });

  it('only counts restarts inside the window', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { maxAttempts: 1, window: '10s', delay: 0 });
    await end(h, task.id); // exit 1 at t0: restarted (no earlier exit in the window)
    const second = await start(h, newest(h, service.id).id);
    await advance(h, 20_000);
    await end(h, second.id); // exit 2 at t0+20s: exit 1 is outside [now-10s, now]: restarted
    const third = await start(h, newest(h, service.id).id);
    expect(third.id).not.toBe(second.id);
    await advance(h, 5_000);
    await end(h, third.id); // exit 3 at t0+25s: exit 2 is inside the window: not restarted
    expect(slotHistory(h, service.id)).toHaveLength(3);
    expect(newest(h, service.id).id).toBe(third.id);
    await h.orchestrator.stop();
  });

  it('keeps counting across a leader change: history lives in the store', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { maxAttempts: 2, delay: 0 });
    await end(h, task.id);
    await start(h, newest(h, service.id).id);
    await end(h, newest(h, service.id).id);
    const third = await start(h, newest(h, service.id).id);
    await h.orchestrator.stop();
    h.orchestrator = h.newOrchestrator(); // a new leader, with no memory of the first two restarts
    h.orchestrator.start();
    await flush();
    await end(h, third.id);
    await advance(h, 60_000);
    expect(slotHistory(h, service.id)).toHaveLength(3);
    expect(newest(h, service.id).id).toBe(third.id);
    await h.orchestrator.stop();
  });

  it('a task that was moved off a drained node does not use an attempt', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { maxAttempts: 1, delay: 0 });
    await h.store.update((tx) => tx.nodes.update('n1', (n) => void (n.spec.availability = 'drain')));
    await flush();
    await report(h.store, h.clock, task.id, 'shutdown');
    await flush();
    const moved = await start(h, newest(h, service.id).id, 'n2');
    await end(h, moved.id); // first failure: its one attempt
    expect(newest(h, service.id).desiredState).toBe('running');
    expect(tasksOf(h.store, service.id)).toHaveLength(3);
    await h.orchestrator.stop();
  });

  it('a replicated service of many slots restarts each crash in its own slot', async () => {
    const h = setup();
    const svc = await createService(h.store, { name: 'many', mode: { replicated: { replicas: 20 } }, task: { restartPolicy: { delay: 0 } } });
    h.orchestrator.start();
    await flush();
    const first = tasksOf(h.store, svc.id);
    await h.store.update((tx) => {
      for (const t of first) tx.tasks.update(t.id, (d) => void (d.status = { state: 'failed', timestamp: h.clock.now(), message: 'boom' }));
    });
    await flush();
    const all = tasksOf(h.store, svc.id);
    expect(all).toHaveLength(40);
    for (let slot = 1; slot <= 20; slot++) {
      const inSlot = all.filter((t) => t.slot === slot);
      expect(inSlot.filter((t) => t.desiredState === 'running')).toHaveLength(1);
      expect(inSlot.filter((t) => t.desiredState === 'shutdown')).toHaveLength(1);
    }
    await h.orchestrator.stop();
  });
});
