/** Node-level simulation: describe, capacity and labels, node crashes, host ports, controller lifetime. */
import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/api/index.js';
import { ClosedError, InvalidStateError, ValidationError } from '../../src/errors/index.js';
import { Random, VirtualClock } from '../../src/runtime/index.js';
import { SimulatedExecutor } from '../../src/executor/simulated/index.js';
import { rejectionOf, simNode, track } from './support.js';

describe('SimulatedExecutor node', () => {
  it('describes itself from its options, with Docker-like defaults, and follows setResources/setEngineLabels', async () => {
    const node = simNode('describe', { resources: { nanoCpus: 8e9, memoryBytes: 2 ** 34, generic: [{ kind: 'gpu', discreteValue: 2 }] } });
    expect(await node.executor.describe()).toEqual({
      hostname: 'sim-1',
      platform: { os: 'linux', architecture: 'x86_64' },
      resources: { nanoCpus: 8e9, memoryBytes: 2 ** 34, generic: [{ kind: 'gpu', discreteValue: 2 }] },
      engine: { version: '27.0.0-simulated' },
    });
    node.executor.setResources({ nanoCpus: 1e9, memoryBytes: 2 ** 30 });
    node.executor.setEngineLabels({ zone: 'b' });
    expect(await node.executor.describe()).toMatchObject({ resources: { nanoCpus: 1e9, memoryBytes: 2 ** 30 }, engine: { labels: { zone: 'b' } } });
    const arm = simNode('arm', { platform: { os: 'linux', architecture: 'aarch64' }, engineVersion: '26.1.4', engineLabels: { ssd: 'true' } });
    expect(await arm.executor.describe()).toMatchObject({ platform: { architecture: 'aarch64' }, engine: { version: '26.1.4', labels: { ssd: 'true' } } });
  });

  it('rejects invalid options with every issue', () => {
    const clock = new VirtualClock();
    const bad = () => new SimulatedExecutor({ clock, random: Random.fromSeed(1), hostname: '', resources: { nanoCpus: -1, memoryBytes: Number.NaN }, maxLogLines: -1 });
    expect(bad).toThrow(ValidationError);
    try {
      bad();
    } catch (e) {
      expect((e as ValidationError).issues.map((i) => i.path)).toEqual(['hostname', 'resources.nanoCpus', 'resources.memoryBytes', 'maxLogLines']);
    }
    const node = simNode('set-resources');
    expect(() => node.executor.setResources({ nanoCpus: Infinity, memoryBytes: 1 })).toThrow(ValidationError);
  });

  it('crashNode kills running containers (255), refuses work until restartNode, and keeps exited containers', async () => {
    const node = simNode('crash');
    const running = node.executor.controller(node.task({ container: { command: ['sleep', '1000'] } }));
    const done = node.executor.controller(node.task({ container: { command: ['true'] } }));
    await node.settle(Promise.all([running.prepare(), done.prepare()]));
    await node.settle(Promise.all([running.start(), done.start()]));
    const waiting = track(running.wait());
    node.executor.crashNode();
    await node.clock.advanceAsync(0);
    expect(waiting.value).toEqual({ exitCode: 255, message: 'node crashed' });
    expect(node.executor.isDown).toBe(true);
    for (const call of [running.prepare(), running.start(), running.wait(), running.inspect(), running.remove()]) {
      expect(await rejectionOf(call)).toMatchObject({ temporary: true, message: expect.stringContaining('is down') });
    }
    await expect(node.executor.describe()).rejects.toBeInstanceOf(InvalidStateError);
    await expect(node.executor.listTasks()).rejects.toBeInstanceOf(InvalidStateError);
    node.executor.restartNode();
    expect((await node.executor.listTasks()).map((t) => t.taskId).sort()).toEqual([running.task.id, done.task.id].sort());
    expect(node.executor.containers().map((c) => [c.state, c.endReason, c.exit?.exitCode])).toEqual([
      ['exited', 'node-crash', 255],
      ['exited', 'exited', 0],
    ]);
    const fresh = node.executor.controller(node.task({ container: { command: ['true'] } }));
    await node.settle(fresh.prepare());
    await node.settle(fresh.start());
    expect((await node.settle(fresh.wait())).exitCode).toBe(0);
  });

  it('crashNode fails prepares and starts in progress temporarily; wipeContainers loses every container', async () => {
    const node = simNode('crash-in-flight', { pullLatency: '10s', startLatency: '1s' });
    const preparing = node.executor.controller(node.task());
    const prep = track(preparing.prepare());
    await node.clock.advanceAsync('1s');
    node.executor.crashNode({ wipeContainers: true });
    await node.clock.advanceAsync(0);
    expect(prep.error).toMatchObject({ code: 'TASK_PREPARE_FAILED', temporary: true });
    node.executor.restartNode();
    expect(await node.executor.listTasks()).toEqual([]);

    const starting = node.executor.controller(node.task({ container: { command: ['sleep', '10'] } }));
    await node.settle(starting.prepare());
    const start = track(starting.start());
    await node.clock.advanceAsync(500);
    node.executor.crashNode();
    await node.clock.advanceAsync(0);
    expect(start.error).toMatchObject({ code: 'TASK_START_FAILED', temporary: true });
    node.executor.restartNode();
    expect((await starting.inspect()).state).toBe('created');
    await node.settle(starting.start());
    expect((await starting.inspect()).state).toBe('running');
  });

  it('binds host-mode ports, reports them, and refuses a second task on a taken port', async () => {
    const node = simNode('ports');
    // Port 443 is published through the ingress routing mesh, so it binds nothing on the node.
    const withPorts = (publishedPort?: number): Task => ({
      ...node.task({ container: { command: ['sleep', '1000'] } }),
      endpoint: { ports: [{ targetPort: 80, publishMode: 'host', ...(publishedPort !== undefined ? { publishedPort } : {}) }, { targetPort: 443, publishedPort: 30443 }] },
    });
    const first = node.executor.controller(withPorts(8080));
    const second = node.executor.controller(withPorts(8080));
    const dynamic = node.executor.controller(withPorts());
    await node.settle(Promise.all([first.prepare(), second.prepare(), dynamic.prepare()]));
    await node.settle(first.start());
    expect((await first.inspect()).ports).toEqual([{ protocol: 'tcp', targetPort: 80, publishedPort: 8080 }]);
    expect(await rejectionOf(node.settle(second.start()))).toMatchObject({ code: 'TASK_START_FAILED', message: 'Bind for 0.0.0.0:8080 failed: port is already allocated' });
    await node.settle(dynamic.start());
    const port = (await dynamic.inspect()).ports?.[0]?.publishedPort ?? 0;
    expect(port).toBeGreaterThanOrEqual(32768);
    expect(port).toBeLessThanOrEqual(60999);
    await node.settle(first.terminate());
    await node.settle(second.start());
    expect((await second.inspect()).state).toBe('running');
  });

  it('a closed controller rejects every call and abandons its wait; the container lives on', async () => {
    const node = simNode('close');
    const task = node.task({ container: { command: ['sleep', '1000'] } });
    const ctl = node.executor.controller(task);
    await node.settle(ctl.prepare());
    await node.settle(ctl.start());
    const waiting = track(ctl.wait());
    ctl.close();
    ctl.close();
    await node.clock.advanceAsync(0);
    expect(waiting.error).toBeInstanceOf(ClosedError);
    await expect(ctl.start()).rejects.toBeInstanceOf(ClosedError);
    await expect(ctl.inspect()).rejects.toBeInstanceOf(ClosedError);
    expect((await node.executor.controller(task).inspect()).state).toBe('running');
    expect(() => node.executor.controller(task).update({ ...task, id: 'other' })).toThrow(InvalidStateError);
  });

  it('start before prepare fails (not temporary); wait and inspect on an unknown task say so', async () => {
    const node = simNode('unprepared');
    const ctl = node.executor.controller(node.task());
    expect(await rejectionOf(ctl.start())).toMatchObject({ code: 'TASK_START_FAILED', temporary: false });
    expect(await rejectionOf(ctl.wait())).toMatchObject({ code: 'TASK_EXECUTION_FAILED', temporary: false });
    expect(await ctl.inspect()).toEqual({ state: 'absent' });
    await ctl.shutdown({ gracePeriodMs: 1 });
    await ctl.terminate();
    await ctl.remove();
  });
});
