import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/api/index.js';
import { Random } from '../../src/runtime/index.js';
import { holdsResources, NodeSet, planPlacements, Scheduler, taskRole } from '../../src/scheduler/index.js';
import type { Store } from '../../src/store/index.js';
import { GiB, newNode, newStore, newTask, settle } from './support.js';

const SEEDS = Array.from({ length: 12 }, (_, i) => 1000 + i);
const STEPS = 40;

/** One random change to the cluster. */
async function step(store: Store, random: Random, n: number): Promise<void> {
  const nodes = store.view((tx) => tx.nodes.all());
  const tasks = store.view((tx) => tx.tasks.all());
  const roll = random.int(10);
  if (roll < 2 || nodes.length === 0) {
    await store.update((tx) =>
      tx.nodes.create(newNode(`n${n}`, { memoryBytes: (1 + random.int(4)) * GiB, labels: { zone: random.pick(['a', 'b']) }, availability: random.chance(0.2) ? 'drain' : 'active' })),
    );
  } else if (roll < 4) {
    const target = random.pick(nodes);
    await store.update((tx) =>
      tx.nodes.update(target.id, (d) => {
        if (random.chance(0.5)) d.spec.availability = random.pick(['active', 'active', 'pause', 'drain'] as const) ?? 'active';
        else d.status.state = random.chance(0.7) ? 'ready' : 'down';
      }),
    );
  } else if (roll < 7) {
    // Tasks of one service and spec version share their spec, as the orchestrators make them.
    const s = random.int(4);
    const service = `s${s}`;
    const count = 1 + random.int(5);
    const memoryBytes = (1 + s) * 256 * 2 ** 20;
    const placement = service === 's1' ? { maxReplicas: 2 } : service === 's2' ? { preferences: [{ spread: 'node.labels.zone' }] } : undefined;
    await store.update((tx) => {
      for (let i = 0; i < count; i++) tx.tasks.create(newTask(`t${n}-${i}`, service, { slot: n * 10 + i, memoryBytes, ...(placement ? { placement } : {}) }));
    });
  } else {
    const held = tasks.filter(holdsResources);
    if (tasks.length === 0) return;
    const victim = random.pick(held.length > 0 ? held : tasks);
    await store.update((tx) => {
      if (random.chance(0.3)) tx.tasks.delete(victim.id);
      else if (holdsResources(victim)) tx.tasks.update(victim.id, (d) => void (d.status.state = random.pick(['complete', 'failed', 'shutdown'] as const) ?? 'failed'));
      else tx.tasks.update(victim.id, (d) => void (d.desiredState = 'shutdown'));
    });
  }
}

describe('Scheduler: convergence under random changes', () => {
  for (const seed of SEEDS) {
    it(`leaves no task pending that some node fits, and overcommits no node (seed ${seed})`, async () => {
      const random = Random.fromSeed(seed);
      const { store, clock } = newStore();
      const scheduler = new Scheduler({ store, clock });
      scheduler.start();
      try {
        for (let i = 0; i < STEPS; i++) {
          await step(store, random, i);
          await settle();
          await clock.advanceAsync(random.int(120));
        }
        await clock.advanceAsync(2000);
        await settle();
        const nodes = store.view((tx) => tx.nodes.all());
        const all = store.view((tx) => tx.tasks.all());
        const held = all.filter(holdsResources);
        // No node holds more than it has (only the scheduler puts tasks on nodes here).
        for (const n of nodes) {
          const used = held.filter((t) => t.nodeId === n.id).reduce((sum, t) => sum + (t.spec.resources?.reservations?.memoryBytes ?? 0), 0);
          expect(used, `node ${n.id}`).toBeLessThanOrEqual(n.description?.resources.memoryBytes ?? 0);
        }
        // Every task still pending fits nowhere, and says why.
        const pending: Task[] = all.filter((t) => taskRole(t) === 'unassigned');
        for (const t of pending) {
          const plan = planPlacements(nodes, [t], { existing: held });
          expect(plan.placements, `task ${t.id} (${t.status.err ?? ''})`).toEqual([]);
          expect(t.status.err ?? '').toMatch(/^no suitable node/);
        }
        expect(scheduler.pendingTasks).toBe(pending.length);
        // The incrementally kept node set equals one built from scratch.
        const fresh = NodeSet.from(nodes, all);
        for (const n of nodes) {
          const mine = scheduler.nodeSet.get(n.id);
          const theirs = fresh.get(n.id);
          expect({ active: mine?.activeTasks, held: mine?.heldTasks, reserved: mine?.reserved, node: mine?.node }, `node ${n.id}`).toEqual({
            active: theirs?.activeTasks,
            held: theirs?.heldTasks,
            reserved: theirs?.reserved,
            node: theirs?.node,
          });
          for (const s of ['s0', 's1', 's2', 's3']) expect(mine?.serviceTasks(s)).toBe(theirs?.serviceTasks(s));
        }
      } finally {
        await scheduler.stop();
      }
    });
  }
});
