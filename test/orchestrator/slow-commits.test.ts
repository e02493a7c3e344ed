import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/api/index.js';
import { QuorumLostError } from '../../src/errors/index.js';
import { Orchestrator } from '../../src/orchestrator/index.js';
import { Random, VirtualClock } from '../../src/runtime/index.js';
import { Store, type ProposalTarget, type Proposer, type Transaction } from '../../src/store/index.js';
import { FakeCluster } from './support/fake-cluster.js';
import { addNodes, createService, flush, tasksOf } from './support/harness.js';

/** Commits each transaction `latency` ms after it is proposed, as raft would; conflicts fail then. */
class SlowProposer implements Proposer {
  /** When set, the next proposal that creates tasks fails at once but still commits after `lateBy` ms. */
  lose: { lateBy: number } | undefined;
  lateFailures = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly latency: number,
  ) {}

  propose(tx: Transaction, target: ProposalTarget): Promise<number> {
    const creates = tx.actions.some((a) => a.op === 'create' && a.kind === 'task');
    if (this.lose !== undefined && creates) {
      const { lateBy } = this.lose;
      this.lose = undefined;
      this.clock.setTimeout(() => {
        try {
          target.applyTransaction(tx, target.index + 1);
        } catch {
          this.lateFailures++;
        }
      }, lateBy);
      return Promise.reject(new QuorumLostError('no quorum (the entry may still commit)'));
    }
    return new Promise((resolve, reject) => {
      this.clock.setTimeout(() => {
        try {
          const index = target.index + 1;
          target.applyTransaction(tx, index);
          resolve(index);
        } catch (err) {
          reject(err);
        }
      }, this.latency);
    });
  }
}

function setupSlow(latency: number): { clock: VirtualClock; store: Store; proposer: SlowProposer; orchestrator: Orchestrator } {
  const clock = new VirtualClock({ start: 1_000_000 });
  const proposer = new SlowProposer(clock, latency);
  const store = new Store({ clock, proposer });
  const orchestrator = new Orchestrator({ store, clock, random: Random.fromSeed(9) });
  return { clock, store, proposer, orchestrator };
}

function runnableBySlot(tasks: readonly Task[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of tasks) if (['ready', 'running'].includes(t.desiredState)) out.set(t.slot, (out.get(t.slot) ?? 0) + 1);
  return out;
}

describe('orchestrator behind a slow proposer (raft-like commits)', () => {
  it('never fills a slot twice while its writes are in flight', async () => {
    const { clock, store, orchestrator } = setupSlow(30);
    const create = clock.settle(addNodes(store, ['n1', 'n2', 'n3']));
    await create;
    const cluster = new FakeCluster({ store, clock, fate: (t) => (t.meta.createdAt < 1_030_000 ? { runFor: 2_000, exit: 'failed' } : 'forever') });
    cluster.start();
    const svc = await clock.settle(createService(store, { name: 'web', mode: { replicated: { replicas: 30 } }, task: { restartPolicy: { delay: 0 } } }));
    orchestrator.start();
    let worst = 0;
    for (let i = 0; i < 600; i++) {
      await clock.advanceAsync(100);
      for (const n of runnableBySlot(tasksOf(store, svc.id)).values()) worst = Math.max(worst, n);
    }
    expect(worst).toBe(1);
    const slots = runnableBySlot(tasksOf(store, svc.id));
    expect(slots.size).toBe(30);
    cluster.stop();
    await orchestrator.stop();
  });

  it('a create whose outcome was unknown and that commits late does not duplicate the slot', async () => {
    const { clock, store, proposer, orchestrator } = setupSlow(5);
    const svc = await clock.settle(createService(store, { name: 'web', mode: { replicated: { replicas: 3 } } }));
    proposer.lose = { lateBy: 1_000 };
    orchestrator.start();
    await clock.advanceAsync(5_000);
    await flush();
    const tasks = tasksOf(store, svc.id);
    expect([...runnableBySlot(tasks).entries()].sort()).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    expect(tasks).toHaveLength(3);
    expect(proposer.lateFailures).toBe(1); // the late commit collided with its retry and changed nothing
    await orchestrator.stop();
  });
});
