/** Shutdown honours the stop signal and grace period; kill works like `docker kill`. */
import { describe, expect, it } from 'vitest';
import type { SimulatedBehaviour } from '../../src/executor/simulated/index.js';
import type { ContractTaskOverrides } from '../contracts/executor.contract.js';
import { simNode, track } from './support.js';

async function runningTask(seed: string, overrides: ContractTaskOverrides, behaviour: SimulatedBehaviour = {}) {
  const node = simNode(seed, { behaviours: { default: behaviour } });
  const ctl = node.executor.controller(node.task(overrides));
  await node.settle(ctl.prepare());
  await node.settle(ctl.start());
  return { node, ctl };
}

describe('simulated shutdown', () => {
  it('stops at once on SIGTERM (exit 143)', async () => {
    const { node, ctl } = await runningTask('term', { container: { command: ['sleep', '1000'] } });
    await node.settle(ctl.shutdown({ gracePeriodMs: 10_000 }));
    expect(node.elapsed()).toBe(0);
    expect(await node.settle(ctl.wait())).toEqual({ exitCode: 143 });
    expect(node.executor.containers()[0]?.endReason).toBe('signal');
  });

  it("sends the task's stopSignal", async () => {
    const { node, ctl } = await runningTask('sigint', { container: { command: ['sleep', '1000'], stopSignal: 'SIGINT' } });
    await node.settle(ctl.shutdown({ gracePeriodMs: 10_000 }));
    expect((await node.settle(ctl.wait())).exitCode).toBe(130);
  });

  it('kills a process that ignores its stop signal when the grace period ends (exit 137)', async () => {
    const { node, ctl } = await runningTask('ignore', { container: { command: ['sleep', '1000'] } }, { ignoreStopSignal: true });
    const stopping = track(ctl.shutdown({ gracePeriodMs: 7_000 }));
    await node.clock.advanceAsync(6_999);
    expect(stopping.settled).toBe(false);
    expect((await ctl.inspect()).state).toBe('running');
    await node.clock.advanceAsync(1);
    expect(stopping.settled).toBe(true);
    expect(await node.settle(ctl.wait())).toEqual({ exitCode: 137 });
    expect(node.executor.containers()[0]?.endReason).toBe('killed');
  });

  it("honours a script's trap: '' ignores the signal, an action runs and sets the exit status", async () => {
    const ignoring = await runningTask('trap-ignore', { container: { command: ['sh', '-c', "trap '' TERM; sleep 1000"] } });
    await ignoring.node.settle(ignoring.ctl.shutdown({ gracePeriodMs: 2_000 }));
    expect(ignoring.node.elapsed()).toBe(2_000);
    expect((await ignoring.node.settle(ignoring.ctl.wait())).exitCode).toBe(137);

    const graceful = await runningTask('trap-action', { container: { command: ['sh', '-c', "trap 'echo bye; exit 0' TERM INT; while true; do sleep 1; done"] } });
    await graceful.node.clock.advanceAsync(5_500);
    await graceful.node.settle(graceful.ctl.shutdown({ gracePeriodMs: 2_000 }));
    expect((await graceful.node.settle(graceful.ctl.wait())).exitCode).toBe(0);
    const lines = [];
    for await (const l of graceful.node.executor.logs(graceful.ctl.task, {})) lines.push(l.line);
    expect(lines).toContain('bye');
  });

  it('terminate skips the grace period even for a process that ignores signals', async () => {
    const { node, ctl } = await runningTask('terminate', { container: { command: ['sleep', '1000'] } }, { ignoreStopSignal: true });
    await node.settle(ctl.terminate());
    expect(node.elapsed()).toBe(0);
    expect((await node.settle(ctl.wait())).exitCode).toBe(137);
  });

  it('a shutdown during the start latency lets the start finish, then stops the task', async () => {
    const node = simNode('stop-while-starting', { startLatency: '1s' });
    const ctl = node.executor.controller(node.task({ container: { command: ['sleep', '1000'] } }));
    await node.settle(ctl.prepare());
    const starting = track(ctl.start());
    await node.clock.advanceAsync(500);
    await node.settle(ctl.shutdown({ gracePeriodMs: 5_000 }));
    expect(node.elapsed()).toBe(1_000);
    expect(starting.settled).toBe(true);
    expect(await ctl.inspect()).toMatchObject({ state: 'exited', exit: { exitCode: 143 } });
  });
});

describe('simulated kill', () => {
  it('kills with SIGKILL by default (137), or ends with a chosen exit code', async () => {
    const { node, ctl } = await runningTask('kill', { container: { command: ['sleep', '1000'] } });
    expect(node.executor.kill(ctl.task.id)).toBe(true);
    expect(await node.settle(ctl.wait())).toEqual({ exitCode: 137 });
    expect(node.executor.kill(ctl.task.id)).toBe(false);
    expect(node.executor.kill('no-such-task')).toBe(false);

    const other = await runningTask('kill-code', { container: { command: ['sleep', '1000'] } });
    expect(other.node.executor.kill(other.ctl.task.id, { exitCode: 3 })).toBe(true);
    expect(await other.node.settle(other.ctl.wait())).toEqual({ exitCode: 3 });
  });

  it('delivers other signals, which a process may ignore', async () => {
    const { node, ctl } = await runningTask('kill-hup', { container: { command: ['sleep', '1000'] } });
    expect(node.executor.kill(ctl.task.id, { signal: 'HUP' })).toBe(true);
    expect((await node.settle(ctl.wait())).exitCode).toBe(129);

    const stubborn = await runningTask('kill-ignored', { container: { command: ['sleep', '1000'] } }, { ignoreStopSignal: true });
    expect(stubborn.node.executor.kill(stubborn.ctl.task.id, { signal: 'SIGTERM' })).toBe(false);
    expect((await stubborn.ctl.inspect()).state).toBe('running');
    expect(stubborn.node.executor.kill(stubborn.ctl.task.id, { signal: 'SIGKILL' })).toBe(true);
  });
});
