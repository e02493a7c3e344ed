import { describe, expect, it } from 'vitest';
import type { RestartCondition, TaskState } from '../../src/api/index.js';
import { setup } from './support/harness.js';
import { advance, end, newest, oneRunningTask, slotHistory } from './support/slot.js';

describe('restart supervisor: conditions', () => {
  it('replaces a crashed task in its slot after the delay, keeping the failed task as history', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h);
    await end(h, task.id, 'failed');
    const [old, replacement] = slotHistory(h, service.id);
    expect(old).toMatchObject({ id: task.id, desiredState: 'shutdown', status: { state: 'failed' } });
    expect(replacement).toMatchObject({ slot: 1, desiredState: 'ready', status: { state: 'new' }, specVersion: 1 });
    await advance(h, 4_999);
    expect(newest(h, service.id).desiredState).toBe('ready');
    await advance(h, 1);
    expect(newest(h, service.id)).toMatchObject({ id: replacement?.id, desiredState: 'running' });
    expect(slotHistory(h, service.id)).toHaveLength(2);
    await h.orchestrator.stop();
  });

  const cases: [RestartCondition, TaskState, boolean][] = [
    ['any', 'failed', true],
    ['any', 'complete', true],
    ['any', 'rejected', true],
    ['on-failure', 'failed', true],
    ['on-failure', 'rejected', true],
    ['on-failure', 'complete', false],
    ['none', 'failed', false],
    ['none', 'complete', false],
  ];
  for (const [condition, state, replaced] of cases) {
    it(`condition ${condition}: a task ending ${state} is ${replaced ? '' : 'not '}replaced`, async () => {
      const h = setup();
      const { service, task } = await oneRunningTask(h, { condition, delay: 0 });
      await end(h, task.id, state);
      const history = slotHistory(h, service.id);
      expect(history[0]).toMatchObject({ id: task.id, desiredState: 'shutdown' });
      expect(history).toHaveLength(replaced ? 2 : 1);
      if (replaced) expect(history[1]?.desiredState).toBe('running');
      await h.orchestrator.stop();
    });
  }

  it('a zero delay starts the replacement at once, in the same transaction', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { delay: 0 });
    let commits = 0;
    const sub = h.store.watch({ kind: 'task' }).subscribe((e) => void (e.type === 'commit' && commits++));
    await end(h, task.id, 'failed');
    expect(newest(h, service.id).desiredState).toBe('running');
    expect(commits).toBe(2); // the agent's report, then the restart
    sub.unsubscribe();
    await h.orchestrator.stop();
  });

  it('a slot left done by its policy stays done when the service is next reconciled (a new leader), as in SwarmKit', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { condition: 'none' });
    await end(h, task.id, 'failed');
    await advance(h, 60_000);
    expect(slotHistory(h, service.id)).toHaveLength(1);
    await h.orchestrator.stop();
    h.orchestrator = h.newOrchestrator();
    h.orchestrator.start();
    await advance(h, 60_000);
    expect(slotHistory(h, service.id)).toHaveLength(1);
    expect(newest(h, service.id)).toMatchObject({ id: task.id, status: { state: 'failed' } });
    await h.orchestrator.stop();
  });
});
