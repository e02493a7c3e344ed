import { describe, expect, it } from 'vitest';
import { replicated, running, simulate } from './support.js';

describe('a cluster of three raft managers', () => {
  it('keeps tasks running through a leader crash, and the new leader reconciles without duplicating tasks', async () => {
    const cluster = await simulate({ managers: 3, workers: 3, nodes: [{ availability: 'drain' }, { availability: 'drain' }, { availability: 'drain' }] });
    await cluster.services.create(replicated('web', 6));
    await cluster.services.waitConverged('web');
    const containers = () => cluster.workers.flatMap((w) => cluster.simulated(w).containers().filter((c) => c.state === 'running').map((c) => c.taskId)).sort();
    const before = containers();
    expect(before).toHaveLength(6);

    const old = cluster.leader as string;
    await cluster.crash(old);
    await cluster.waitFor(() => cluster.leader !== undefined && cluster.leader !== old, { waitingFor: 'a new leader' });
    await cluster.advance('1m');
    expect(containers()).toEqual(before);

    // Exactly one runnable task per slot: nothing was duplicated by the new leader.
    const runnable = cluster.tasks.list({ service: 'web' }).filter((t) => t.desiredState === 'running');
    expect(runnable.map((t) => t.slot).sort()).toEqual([1, 2, 3, 4, 5, 6]);

    await cluster.services.scale('web', 9);
    await cluster.services.waitConverged('web');
    expect(running(cluster, 'web')).toHaveLength(9);
    expect(cluster.info()).toMatchObject({ managers: 3, raft: { enabled: true } });
  });

  it('a crashed manager restarts from its raft log and catches up', async () => {
    const cluster = await simulate({ managers: 3, workers: 1 });
    const follower = cluster.managers.find((m) => m !== cluster.leader) as string;
    await cluster.crash(follower);
    await cluster.services.create(replicated('web', 2));
    await cluster.services.waitConverged('web');
    await cluster.restart(follower);
    await cluster.waitFor(() => cluster.nodes.inspect(follower).status.state === 'ready', { waitingFor: `${follower} ready` });
    await cluster.services.waitConverged('web');
    expect(cluster.nodes.list({ role: 'manager' })).toHaveLength(3);
  });

  it('promotes a worker to manager and demotes a manager, refusing to break quorum', async () => {
    const cluster = await simulate({ managers: 3, workers: 2 });
    await cluster.nodes.promote('worker-1');
    expect(cluster.nodes.inspect('worker-1').role).toBe('manager');
    expect(cluster.managers).toHaveLength(4);
    const leader = cluster.leader as string;
    await cluster.nodes.demote(leader);
    await cluster.waitFor(() => cluster.leader !== undefined && cluster.leader !== leader, { waitingFor: 'a new leader after demotion' });
    expect(cluster.nodes.inspect(leader).role).toBe('worker');
    expect(cluster.managers).toHaveLength(3);
    await cluster.services.create(replicated('web', 2));
    await cluster.services.waitConverged('web');

    const [a, b] = cluster.managers.filter((m) => m !== cluster.leader) as [string, string];
    await cluster.crash(a);
    await cluster.waitFor(() => cluster.nodes.inspect(a).status.state === 'down', { timeout: '2m', waitingFor: `${a} down` });
    await expect(cluster.nodes.demote(b)).rejects.toThrow(/quorum/);
  });
});
