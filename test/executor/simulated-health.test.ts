/** Health checks follow Docker's timing rules, and Swarm's rule that an unhealthy task is stopped. */
import { describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../src/api/index.js';
import type { SimulatedBehaviour } from '../../src/executor/simulated/index.js';
import { rejectionOf, simNode, track } from './support.js';

function healthNode(seed: string, healthcheck: HealthCheck | undefined, behaviour: SimulatedBehaviour = {}) {
  const node = simNode(seed, { behaviours: { default: behaviour } });
  const ctl = node.executor.controller(node.task({ container: { command: ['sleep', 'infinity'], stopGracePeriod: '2s', ...(healthcheck ? { healthcheck } : {}) } }));
  return { node, ctl };
}

describe('simulated health checks', () => {
  it("uses Docker's defaults: the first probe after 30 s makes the task healthy", async () => {
    const { node, ctl } = healthNode('defaults', { test: ['CMD', 'true'] });
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    expect(node.elapsed()).toBe(30_000);
    expect(node.executor.containers()[0]?.health).toBe('healthy');
  });

  it('turns unhealthy after `retries` failed probes (default 3 at 30 s), stops the task, and rejects start and wait', async () => {
    const { node, ctl } = healthNode('unhealthy', { test: ['CMD-SHELL', 'exit 1'] });
    await node.settle(ctl.prepare());
    const waiting = track(ctl.wait());
    const e = await rejectionOf(node.settle(ctl.start()));
    expect(e).toMatchObject({ code: 'TASK_UNHEALTHY', temporary: false });
    expect(node.elapsed()).toBe(90_000); // three failed probes; SIGTERM ends `sleep` at once
    await node.clock.advanceAsync(0);
    expect((waiting.error as { code?: string }).code).toBe('TASK_UNHEALTHY');
    expect(node.executor.containers()[0]).toMatchObject({ state: 'exited', health: 'unhealthy', endReason: 'unhealthy', exit: { exitCode: 143 } });
  });

  it('keeps an unhealthy task that ignores SIGTERM running for its stop grace period, then kills it', async () => {
    const { node, ctl } = healthNode('unhealthy-grace', { test: ['CMD', 'false'], interval: '1s', retries: 1 }, { ignoreStopSignal: true });
    await node.settle(ctl.prepare());
    const e = await rejectionOf(node.settle(ctl.start()));
    expect(e.code).toBe('TASK_UNHEALTHY');
    expect(node.elapsed()).toBe(1_000 + 2_000);
    expect(node.executor.containers()[0]?.exit).toEqual({ exitCode: 137 });
  });

  it('does not count failures during the start period, and probes at the start interval meanwhile', async () => {
    const { node, ctl } = healthNode(
      'start-period',
      { test: ['CMD', 'true'], interval: '10s', retries: 1, startPeriod: '20s', startInterval: '2s' },
      { healthy: '9s' },
    );
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    // Probes at 2, 4, 6, 8 s fail without counting; the one at 10 s passes.
    expect(node.elapsed()).toBe(10_000);
    expect((await ctl.inspect()).state).toBe('running');
  });

  it('counts failures once the start period is over', async () => {
    const { node, ctl } = healthNode('after-start-period', { test: ['CMD', 'false'], interval: '10s', retries: 2, startPeriod: '15s', startInterval: '5s' });
    await node.settle(ctl.prepare());
    const e = await rejectionOf(node.settle(ctl.start()));
    expect(e.code).toBe('TASK_UNHEALTHY');
    // 5, 10 s: in the start period; 15 s: first counted failure; 25 s: second, unhealthy.
    expect(node.elapsed()).toBe(25_000);
  });

  it('fails a probe that takes longer than its timeout', async () => {
    const { node, ctl } = healthNode('timeout', { test: ['CMD-SHELL', 'sleep 5; exit 0'], interval: '1s', timeout: '2s', retries: 2 });
    await node.settle(ctl.prepare());
    const e = await rejectionOf(node.settle(ctl.start()));
    expect(e.code).toBe('TASK_UNHEALTHY');
    // Probe at 1 s times out at 3 s; next at 4 s times out at 6 s.
    expect(node.elapsed()).toBe(6_000);
  });

  it('a slow but passing probe delays health by the time it takes', async () => {
    const { node, ctl } = healthNode('slow-probe', { test: ['CMD-SHELL', 'sleep 1.5'], interval: '1s', timeout: '2s' });
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    expect(node.elapsed()).toBe(2_500);
  });

  it("has no health check with test ['NONE'] or none at all: start resolves when running", async () => {
    for (const hc of [{ test: ['NONE'] }, undefined]) {
      const { node, ctl } = healthNode('none', hc, { healthy: false });
      await node.settle(ctl.prepare());
      await node.settle(ctl.start());
      expect(node.elapsed()).toBe(0);
      expect(node.executor.containers()[0]?.health).toBe('none');
    }
  });

  it("uses the image's health check (behaviour.healthcheck) when the task has none", async () => {
    const { node, ctl } = healthNode('image-hc', undefined, { healthcheck: { test: ['CMD', 'true'], interval: '5s' } });
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    expect(node.elapsed()).toBe(5_000);
  });

  it('scripted unhealthyAfter: healthy first, then stopped once retries fail, and wait rejects', async () => {
    const { node, ctl } = healthNode('unhealthy-after', { test: ['CMD', 'true'], interval: '1s', retries: 3 }, { unhealthyAfter: '1m' });
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    expect(node.elapsed()).toBe(1_000);
    const e = await rejectionOf(node.settle(ctl.wait()));
    expect(e.code).toBe('TASK_UNHEALTHY');
    expect(node.elapsed()).toBe(62_000); // probes at 60, 61, 62 s fail
    expect((await ctl.inspect()).state).toBe('exited');
  });

  it('resolves start when a process exits 0 before it is healthy, and rejects it for a non-zero exit', async () => {
    for (const [code, expected] of [
      [0, undefined],
      [5, 'TASK_START_FAILED'],
    ] as const) {
      const node = simNode(`early-exit-${code}`);
      const ctl = node.executor.controller(node.task({ container: { command: ['sh', '-c', `sleep 1; exit ${code}`], healthcheck: { test: ['CMD', 'true'], interval: '10s' } } }));
      await node.settle(ctl.prepare());
      const started = track(node.settle(ctl.start()));
      await node.clock.advanceAsync('2s');
      expect(started.settled).toBe(true);
      expect((started.error as { code?: string } | undefined)?.code).toBe(expected);
      expect((await node.settle(ctl.wait())).exitCode).toBe(code);
    }
  });

  it('a second start while waiting for health shares the wait', async () => {
    const { node, ctl } = healthNode('shared-start', { test: ['CMD', 'true'], interval: '3s' });
    await node.settle(ctl.prepare());
    const first = track(ctl.start());
    await node.clock.advanceAsync('1s');
    const second = track(node.executor.controller(ctl.task).start());
    await node.clock.advanceAsync('1s');
    expect([first.settled, second.settled]).toEqual([false, false]);
    await node.clock.advanceAsync('1s');
    expect([first.settled, second.settled, first.error, second.error]).toEqual([true, true, undefined, undefined]);
  });
});
