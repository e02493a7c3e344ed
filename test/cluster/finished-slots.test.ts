import { describe, expect, it } from 'vitest';
import type { ServiceSpec, Task } from '../../src/api/index.js';
import { simulate } from './support.js';

// Tasks of `busybox:once` exit cleanly after 2 s; `busybox:twice` is a new spec of the same.
const ONCE = { images: { 'busybox:once': { runFor: '2s', exitCode: 0 }, 'busybox:twice': { runFor: '2s', exitCode: 0 } } };

const spec = (name: string, mode: ServiceSpec['mode']): ServiceSpec => ({
  name,
  mode,
  task: { container: { image: 'busybox:once' }, restartPolicy: { condition: 'none' } },
});

const bySlot = (tasks: readonly Task[]): Map<number, Task[]> => {
  const out = new Map<number, Task[]>();
  for (const t of tasks) out.set(t.slot, [...(out.get(t.slot) ?? []), t]);
  return out;
};

describe('slots that their restart policy left done (SwarmKit: UpdatableTasksInSlot)', () => {
  it('stay done when the service is scaled up and after a leader change; a spec change replaces them', async () => {
    const cluster = await simulate({ managers: 3, workers: 2, behaviours: ONCE });
    await cluster.services.create(spec('once', { replicated: { replicas: 2 } }));
    const allComplete = (n: number) => () => cluster.tasks.list({ service: 'once' }).filter((t) => t.status.state === 'complete').length === n;
    await cluster.waitFor(allComplete(2), { waitingFor: 'both tasks to complete' });

    await cluster.services.scale('once', 3);
    await cluster.waitFor(allComplete(3), { waitingFor: 'the third task to complete' });
    await cluster.advance('30s');
    const slots = bySlot(cluster.tasks.list({ service: 'once' }));
    expect([...slots.keys()].sort()).toEqual([1, 2, 3]);
    expect([...slots.values()].map((ts) => ts.length)).toEqual([1, 1, 1]);

    // A new leader reconciles every service: the done slots get nothing new.
    await cluster.crash(cluster.leader as string);
    await cluster.waitFor(() => cluster.leader !== undefined, { waitingFor: 'a new leader' });
    await cluster.advance('30s');
    expect(cluster.tasks.list({ service: 'once' })).toHaveLength(3);

    // A new spec reaches every slot, done or not.
    await cluster.services.update('once', (s) => {
      s.task.container.image = 'busybox:twice';
      s.update = { parallelism: 0, failureAction: 'continue' }; // these tasks end by design
    });
    await cluster.waitFor(() => cluster.tasks.list({ service: 'once' }).filter((t) => t.spec.container.image === 'busybox:twice' && t.status.state === 'complete').length === 3, {
      timeout: '5m',
      waitingFor: 'every slot to run the new spec',
    });
    expect(new Set(cluster.tasks.list({ service: 'once' }).filter((t) => t.spec.container.image === 'busybox:twice').map((t) => t.slot))).toEqual(new Set([1, 2, 3]));
  });

  it('a global service brings a new spec to a node whose task finished', async () => {
    const cluster = await simulate({ managers: 1, workers: 2, behaviours: ONCE });
    await cluster.services.create(spec('agent', { global: {} }));
    const nodes = cluster.nodes.list().length;
    await cluster.waitFor(() => cluster.tasks.list({ service: 'agent' }).filter((t) => t.status.state === 'complete').length === nodes, { waitingFor: 'every node to finish' });
    await cluster.services.update('agent', (s) => {
      s.task.container.image = 'busybox:twice';
      s.update = { parallelism: 0, failureAction: 'continue' }; // these tasks end by design
    });
    await cluster.waitFor(() => cluster.tasks.list({ service: 'agent' }).filter((t) => t.spec.container.image === 'busybox:twice' && t.status.state === 'complete').length === nodes, {
      timeout: '5m',
      waitingFor: 'every node to run the new spec',
    });
    expect(cluster.tasks.list({ service: 'agent' })).toHaveLength(2 * nodes);
  });
});
