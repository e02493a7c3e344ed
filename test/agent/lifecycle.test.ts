import { describe, expect, it } from 'vitest';
import { taskStateOrder, type TaskState } from '../../src/api/index.js';
import { ControllerError } from '../../src/executor/index.js';
import { Harness } from './support/harness.js';

describe('Agent task lifecycle', () => {
  it('drives an assigned task to running, reporting its states in order, then to complete when it exits 0', async () => {
    const h = new Harness();
    const { executor } = await h.node('n1');
    executor.script = () => ({ prepareMs: 200, startMs: 100, runMs: 5_000, exitCode: 0 });
    await h.assign('t1', 'n1');
    await h.until(() => h.state('t1') === 'running');
    expect(h.status('t1')).toMatchObject({ state: 'running', message: 'started', containerId: 'ctr-t1' });
    await h.until(() => h.state('t1') === 'complete');
    expect(h.status('t1')).toMatchObject({ state: 'complete', message: 'finished', exitCode: 0 });
    // States reached in the same instant are superseded before they are sent (accepted by
    // preparing, ready by starting); the ones that lasted were each reported, in order.
    const reported = h.states('t1');
    expect(reported).toEqual(['preparing', 'starting', 'running', 'complete']);
    for (let i = 1; i < reported.length; i++) expect(taskStateOrder(reported[i] as TaskState)).toBeGreaterThan(taskStateOrder(reported[i - 1] as TaskState));
    expect(executor.container('t1').starts).toBe(1);
    await h.stop();
  });

  it('reports failed with the exit code when the task exits non-zero', async () => {
    const h = new Harness();
    const { executor } = await h.node('n1');
    executor.script = () => ({ runMs: 1_000, exitCode: 3 });
    await h.assign('t1', 'n1');
    await h.until(() => h.state('t1') === 'failed');
    expect(h.status('t1')).toMatchObject({ state: 'failed', exitCode: 3, message: 'task: non-zero exit (3)', err: 'task: non-zero exit (3)' });
    await h.stop();
  });

  it('rejects a task whose preparation fails, with the error message', async () => {
    const h = new Harness();
    const { executor } = await h.node('n1');
    executor.script = () => ({ prepareError: new ControllerError('TASK_PREPARE_FAILED', 'No such image: busybox:nope') });
    await h.assign('t1', 'n1');
    await h.until(() => h.state('t1') === 'rejected');
    expect(h.status('t1')).toMatchObject({ state: 'rejected', message: 'No such image: busybox:nope', err: 'No such image: busybox:nope' });
    expect(executor.container('t1').starts).toBe(0);
    await h.stop();
  });

  it('fails a task whose start fails (at or after starting)', async () => {
    const h = new Harness();
    const { executor } = await h.node('n1');
    executor.script = () => ({ startError: new ControllerError('TASK_START_FAILED', 'port is already allocated') });
    await h.assign('t1', 'n1');
    await h.until(() => h.state('t1') === 'failed');
    expect(h.status('t1')).toMatchObject({ state: 'failed', err: 'port is already allocated' });
    await h.stop();
  });

  it('retries a temporary failure after 1 s and goes on', async () => {
    const h = new Harness();
    const { executor } = await h.node('n1');
    executor.script = () => ({ prepareError: new ControllerError('TASK_PREPARE_FAILED', 'registry timeout', { temporary: true }), prepareFailures: 2 });
    await h.assign('t1', 'n1');
    const start = h.clock.now();
    await h.until(() => h.state('t1') === 'running');
    expect(h.clock.now() - start).toBeGreaterThanOrEqual(2_000);
    expect(executor.log.filter((l) => l === 'prepare t1')).toHaveLength(3);
    await h.stop();
  });

  it('gives up on a temporary failure that does not go away', async () => {
    const h = new Harness();
    const { executor } = await h.node('n1');
    executor.script = () => ({ prepareError: new ControllerError('TASK_PREPARE_FAILED', 'registry timeout', { temporary: true }) });
    await h.assign('t1', 'n1');
    await h.until(() => h.state('t1') === 'rejected', 60_000);
    expect(executor.log.filter((l) => l === 'prepare t1')).toHaveLength(11);
    await h.stop();
  });

  it('fails a task killed for failing its healthcheck', async () => {
    const h = new Harness();
    const { executor } = await h.node('n1');
    executor.script = () => ({ unhealthyAfterMs: 3_000 });
    await h.assign('t1', 'n1');
    await h.until(() => h.state('t1') === 'running');
    await h.until(() => h.state('t1') === 'failed');
    expect(h.status('t1')?.err).toContain('unhealthy');
    await h.stop();
  });

  it('prepares but does not start a task desired ready, and starts it once desired running', async () => {
    const h = new Harness();
    const { executor } = await h.node('n1');
    await h.assign('t1', 'n1', {}, 'ready');
    await h.until(() => h.state('t1') === 'ready');
    await h.clock.advanceAsync(10_000);
    expect(h.state('t1')).toBe('ready');
    expect(executor.container('t1').state).toBe('created');
    expect(executor.log).not.toContain('start t1');
    await h.store.update((tx) => tx.tasks.update('t1', (t) => void (t.desiredState = 'running')));
    await h.until(() => h.state('t1') === 'running');
    expect(executor.container('t1').starts).toBe(1);
    await h.stop();
  });

  it('shuts a task down with its stop grace period when desired shutdown', async () => {
    const h = new Harness();
    const { executor } = await h.node('n1');
    executor.script = () => ({ stopMs: 1_500 });
    await h.assign('t1', 'n1', { container: { image: 'nginx:1.27', stopGracePeriod: '3s' } });
    await h.until(() => h.state('t1') === 'running');
    const asked = h.clock.now();
    await h.store.update((tx) => tx.tasks.update('t1', (t) => void (t.desiredState = 'shutdown')));
    await h.until(() => h.state('t1') === 'shutdown');
    expect(executor.container('t1').graceGiven).toEqual([3_000]);
    expect(executor.container('t1').state).toBe('exited');
    expect(h.clock.now() - asked).toBeGreaterThanOrEqual(1_500);
    expect(h.status('t1')?.message).toBe('shutdown');
    await h.stop();
  });

  it('uses the 10 s default grace period, and shuts down a task still preparing', async () => {
    const h = new Harness();
    const { executor } = await h.node('n1');
    executor.script = () => ({ prepareMs: 60_000 });
    await h.assign('t1', 'n1');
    await h.until(() => h.state('t1') === 'preparing');
    await h.store.update((tx) => tx.tasks.update('t1', (t) => void (t.desiredState = 'shutdown')));
    await h.until(() => h.state('t1') === 'shutdown', 5_000);
    expect(executor.container('t1').graceGiven).toEqual([10_000]);
    await h.stop();
  });

  it('shuts down and removes a task deleted from the store', async () => {
    const h = new Harness();
    const { executor } = await h.node('n1');
    await h.assign('t1', 'n1');
    await h.until(() => h.state('t1') === 'running');
    await h.store.update((tx) => tx.tasks.delete('t1'));
    await h.until(() => executor.removed.includes('t1'));
    expect(executor.log.slice(-2)).toEqual(['shutdown t1 grace=10000', 'remove t1']);
    await h.stop();
  });

  it('shuts down a running task a manager ended (rejected by the constraint enforcer)', async () => {
    const h = new Harness();
    const { executor } = await h.node('n1');
    await h.assign('t1', 'n1');
    await h.until(() => h.state('t1') === 'running');
    await h.store.update((tx) =>
      tx.tasks.update('t1', (t) => void (t.status = { state: 'rejected', timestamp: h.clock.now(), message: 'assigned node no longer meets constraints' })),
    );
    await h.until(() => executor.container('t1').state === 'exited');
    await h.clock.advanceAsync(1_000);
    expect(h.state('t1')).toBe('rejected');
    await h.stop();
  });
});
