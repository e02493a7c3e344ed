import { describe, expect, it } from 'vitest';
import { changeNode, flush, report, setup } from './support/harness.js';
import { advance, end, get, newest, oneRunningTask, slotHistory } from './support/slot.js';

describe('restart supervisor: when the replacement starts', () => {
  it('on a drained node: no delay, but the replacement waits for the old task to stop', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { delay: '30s' });
    await changeNode(h.store, 'n1', (n) => void (n.spec.availability = 'drain'));
    await flush();
    const replacement = newest(h, service.id);
    expect(get(h, task.id).desiredState).toBe('shutdown');
    expect(replacement).toMatchObject({ desiredState: 'ready', slot: 1 });
    await advance(h, 10_000);
    expect(get(h, replacement.id).desiredState).toBe('ready'); // old task still running
    await report(h.store, h.clock, task.id, 'shutdown');
    await flush();
    expect(get(h, replacement.id).desiredState).toBe('running');
    await h.orchestrator.stop();
  });

  it('gives up waiting for the old task after one minute', async () => {
    const h = setup();
    const { service } = await oneRunningTask(h, { delay: 0 });
    await changeNode(h.store, 'n1', (n) => void (n.spec.availability = 'drain'));
    await flush();
    const replacement = newest(h, service.id);
    await advance(h, 59_999);
    expect(get(h, replacement.id).desiredState).toBe('ready');
    await advance(h, 1);
    expect(get(h, replacement.id).desiredState).toBe('running');
    await h.orchestrator.stop();
  });

  it('when the old node goes down: does not wait for the old task, but keeps the delay', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { delay: '5s' });
    await changeNode(h.store, 'n1', (n) => void (n.status.state = 'down'));
    await flush();
    const replacement = newest(h, service.id);
    expect(replacement.id).not.toBe(task.id);
    expect(get(h, task.id)).toMatchObject({ desiredState: 'shutdown', status: { state: 'running' } });
    await advance(h, 4_999);
    expect(get(h, replacement.id).desiredState).toBe('ready');
    await advance(h, 1);
    expect(get(h, replacement.id).desiredState).toBe('running');
    await h.orchestrator.stop();
  });

  it('stops waiting when the old node goes down meanwhile', async () => {
    const h = setup();
    const { service } = await oneRunningTask(h, { delay: 0 });
    await changeNode(h.store, 'n1', (n) => void (n.spec.availability = 'drain'));
    await flush();
    const replacement = newest(h, service.id);
    await advance(h, 1_000);
    expect(get(h, replacement.id).desiredState).toBe('ready');
    await changeNode(h.store, 'n1', (n) => void (n.status.state = 'down'));
    await flush();
    expect(get(h, replacement.id).desiredState).toBe('running');
    await h.orchestrator.stop();
  });

  it('replaces tasks of a removed node at once', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { delay: 0 });
    await h.store.update((tx) => tx.nodes.delete('n1'));
    await flush();
    const replacement = newest(h, service.id);
    expect(replacement.id).not.toBe(task.id);
    expect(replacement.desiredState).toBe('running');
    expect(get(h, task.id).desiredState).toBe('shutdown');
    await h.orchestrator.stop();
  });

  it('a replacement that fails during its delay is restarted only once the delay is over', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { delay: '5s' });
    await end(h, task.id);
    const first = newest(h, service.id);
    await advance(h, 1_000);
    await report(h.store, h.clock, first.id, 'rejected', { nodeId: 'n1' }); // e.g. its image cannot be pulled
    await flush();
    expect(slotHistory(h, service.id)).toHaveLength(2);
    await advance(h, 3_999);
    expect(slotHistory(h, service.id)).toHaveLength(2);
    await advance(h, 1);
    expect(slotHistory(h, service.id)).toHaveLength(3);
    expect(get(h, first.id).desiredState).toBe('shutdown');
    expect(newest(h, service.id).desiredState).toBe('ready');
    await h.orchestrator.stop();
  });

  it('a new leader starts the replacement when the old leader would have', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { delay: '10s' });
    await end(h, task.id);
    const replacement = newest(h, service.id);
    await advance(h, 4_000);
    await h.orchestrator.stop();
    await advance(h, 2_000);
    h.orchestrator = h.newOrchestrator();
    h.orchestrator.start();
    await flush();
    expect(get(h, replacement.id).desiredState).toBe('ready');
    await advance(h, 3_999);
    expect(get(h, replacement.id).desiredState).toBe('ready');
    await advance(h, 1);
    expect(get(h, replacement.id).desiredState).toBe('running');
    expect(slotHistory(h, service.id)).toHaveLength(2);
    await h.orchestrator.stop();
  });

  it('a new leader starts an overdue replacement at once', async () => {
    const h = setup();
    const { service, task } = await oneRunningTask(h, { delay: '10s' });
    await end(h, task.id);
    const replacement = newest(h, service.id);
    await h.orchestrator.stop();
    await advance(h, 60_000);
    expect(get(h, replacement.id).desiredState).toBe('ready');
    h.orchestrator = h.newOrchestrator();
    h.orchestrator.start();
    await flush();
    await flush();
    expect(get(h, replacement.id).desiredState).toBe('running');
    await h.orchestrator.stop();
  });

  it('cancels every timer when stopped', async () => {
    const h = setup();
    const { task } = await oneRunningTask(h, { delay: '10s' });
    await end(h, task.id);
    expect(h.clock.pendingTimers).toBeGreaterThan(0);
    await h.orchestrator.stop();
    expect(h.clock.pendingTimers).toBe(0);
  });
});
