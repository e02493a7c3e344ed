import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/api/index.js';
import { backoffSteps, failureStreak, resolveRestartPolicy, restartDelay } from '../../src/orchestrator/index.js';
import { flush, setup, type Harness } from './support/harness.js';
import { advance, end, get, newest, oneRunningTask, start } from './support/slot.js';

/** Fails the running task of slot 1, then measures how long until its replacement is wanted running. */
async function failAndTimeRestart(h: Harness, serviceId: string): Promise<number> {
  await end(h, newest(h, serviceId).id);
  const replacement = newest(h, serviceId);
  let waited = 0;
  while (get(h, replacement.id).desiredState !== 'running') {
    await advance(h, 100);
    waited += 100;
    if (waited > 600_000) throw new Error('never started');
  }
  await start(h, replacement.id);
  return waited;
}

describe('restart supervisor: exponential backoff (Flotilla extension)', () => {
  it('waits delay × factor^(n−1) for the n-th consecutive failure, capped at maxDelay', async () => {
    const h = setup();
    const { service } = await oneRunningTask(h, { delay: '1s', backoff: { factor: 2, maxDelay: '5s' } });
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) waits.push(await failAndTimeRestart(h, service.id));
    expect(waits).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
    await h.orchestrator.stop();
  });

  it('without backoff every restart waits the plain delay', async () => {
    const h = setup();
    const { service } = await oneRunningTask(h, { delay: '1s' });
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) waits.push(await failAndTimeRestart(h, service.id));
    expect(waits).toEqual([1000, 1000, 1000, 1000]);
    await h.orchestrator.stop();
  });

  it('starts a new series after a task ran for ten minutes', async () => {
    const h = setup();
    const { service } = await oneRunningTask(h, { delay: '1s', backoff: { factor: 2, maxDelay: '8s' } });
    expect(await failAndTimeRestart(h, service.id)).toBe(1000);
    expect(await failAndTimeRestart(h, service.id)).toBe(2000);
    await advance(h, 8_000 + 600_000); // runs long enough to count as healthy
    expect(await failAndTimeRestart(h, service.id)).toBe(1000);
    expect(await failAndTimeRestart(h, service.id)).toBe(2000);
    await h.orchestrator.stop();
  });

  it('a clean exit (condition any) is not a failure and resets the series', async () => {
    const h = setup();
    const { service } = await oneRunningTask(h, { delay: '1s', backoff: { factor: 3 } });
    expect(await failAndTimeRestart(h, service.id)).toBe(1000);
    expect(await failAndTimeRestart(h, service.id)).toBe(3000);
    await end(h, newest(h, service.id).id, 'complete');
    await advance(h, 1_000);
    await start(h, newest(h, service.id).id);
    expect(await failAndTimeRestart(h, service.id)).toBe(1000);
    await h.orchestrator.stop();
  });

  it('continues the series under a new leader', async () => {
    const h = setup();
    const { service } = await oneRunningTask(h, { delay: '1s', backoff: { factor: 2, maxDelay: '1m' } });
    expect(await failAndTimeRestart(h, service.id)).toBe(1000);
    expect(await failAndTimeRestart(h, service.id)).toBe(2000);
    expect(await failAndTimeRestart(h, service.id)).toBe(4000);
    await h.orchestrator.stop();
    h.orchestrator = h.newOrchestrator();
    h.orchestrator.start();
    await flush();
    expect(await failAndTimeRestart(h, service.id)).toBe(8000);
    await h.orchestrator.stop();
  });

  it('pure policy helpers: defaults, streak and step count', () => {
    const policy = resolveRestartPolicy({ container: { image: 'x' }, restartPolicy: { delay: '2s', backoff: {} } }, false);
    expect(policy).toEqual({ condition: 'any', delay: 2000, maxAttempts: 0, window: 0, backoff: { factor: 2, maxDelay: 300_000 } });
    expect(backoffSteps(policy)).toBe(8); // 2 s × 2^8 = 512 s ≥ 300 s
    expect(resolveRestartPolicy({ container: { image: 'x' }, restartPolicy: { condition: 'any' } }, true).condition).toBe('on-failure');
    const t = (id: string, created: number, state: Task['status']['state'], ended: number): Task =>
      ({ id, specVersion: 1, meta: { createdAt: created, updatedAt: ended, version: 1 }, status: { state, timestamp: ended, message: '' } }) as Task;
    const slot = [t('a', 0, 'failed', 10), t('b', 20, 'shutdown', 30), t('c', 40, 'failed', 50), t('d', 60, 'rejected', 70), t('e', 80, 'failed', 90)];
    expect(failureStreak(slot[4] as Task, slot, policy)).toBe(3);
    expect(restartDelay(slot[4] as Task, slot, policy)).toBe(8000);
    expect(failureStreak(slot[1] as Task, slot, policy)).toBe(0);
  });
});
