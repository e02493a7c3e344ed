/** Jitter comes from the seeded Random: the same seed replays a node exactly; a task's timing is its own. */
import { describe, expect, it } from 'vitest';
import type { SimulatedContainerInfo } from '../../src/executor/simulated/index.js';
import { simNode } from './support.js';

const JITTER = {
  pullLatency: { min: '200ms', max: '2s' },
  createLatency: { min: 5, max: 50 },
  startLatency: { min: 10, max: 500 },
  behaviours: { default: { runFor: { min: '1s', max: '10s' } } },
} as const;

/** Runs `count` tasks through prepare, start and exit; returns what the node saw, and the task ids. */
async function scenario(seed: string, count: number): Promise<{ containers: SimulatedContainerInfo[]; ids: string[] }> {
  const node = simNode(seed, JITTER);
  const tasks = Array.from({ length: count }, (_, i) => node.task({ slot: i + 1, container: { command: ['sleep', '1000'] } }));
  await node.settle(
    Promise.all(
      tasks.map(async (t) => {
        const ctl = node.executor.controller(t);
        await ctl.prepare();
        await ctl.start();
        await ctl.wait();
      }),
    ),
  );
  return { containers: node.executor.containers(), ids: tasks.map((t) => t.id) };
}

describe('SimulatedExecutor determinism', () => {
  it('replays exactly from the same seed: container ids, start and finish times', async () => {
    const seed = 'determinism-1';
    const a = await scenario(seed, 20);
    const b = await scenario(seed, 20);
    expect(b.containers).toEqual(a.containers);
    expect(new Set(a.containers.map((c) => c.containerId)).size).toBe(20);
    expect(a.containers[0]?.containerId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('draws different jitter from a different seed', async () => {
    const a = await scenario('determinism-1', 20);
    const b = await scenario('determinism-2', 20);
    const times = (r: { containers: SimulatedContainerInfo[] }) => r.containers.map((c) => [c.startedAt, c.finishedAt]);
    expect(times(b)).not.toEqual(times(a));
  });

  it("gives each task its own stream: adding tasks does not change another task's timing", async () => {
    const seed = 'determinism-3';
    const few = await scenario(seed, 3);
    const many = await scenario(seed, 30);
    const timing = (r: { containers: SimulatedContainerInfo[] }, id: string) => {
      const c = r.containers.find((x) => x.taskId === id);
      return [c?.containerId, (c?.finishedAt ?? 0) - (c?.startedAt ?? 0)];
    };
    for (const id of few.ids) expect(timing(many, id)).toEqual(timing(few, id));
  });
});
