import { describe, expect, it } from 'vitest';
import type { Task } from '../../src/api/index.js';
import { taskStateOrder } from '../../src/api/index.js';
import { Random } from '../../src/runtime/index.js';
import { FakeCluster } from './support/fake-cluster.js';
import { addNodes, changeNode, createService, flush, setup, tasksOf, updateService, type Harness } from './support/harness.js';

// ORCHESTRATOR_SEEDS=n runs more seeds (e.g. in a soak).
const SEEDS = Array.from({ length: Number(process.env.ORCHESTRATOR_SEEDS ?? 12) }, (_, i) => 500 + i);
const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
const runnable = (t: Task): boolean => taskStateOrder(t.desiredState) <= taskStateOrder('running');

/** Checks, at every committed change of a task, that its slot (or node, for global) holds at most one runnable task. */
function watchDuplicates(h: Harness, global: string): { violations: string[]; stop(): void } {
  const violations: string[] = [];
  const sub = h.store.watch({ kind: 'task' }).subscribe((ev) => {
    if (ev.type === 'commit' || ev.type === 'delete') return;
    const t = ev.object;
    const peers = h.store.view((tx) =>
      t.serviceId === global ? tx.tasks.find({ serviceId: t.serviceId, nodeId: t.nodeId }) : tx.tasks.find({ serviceId: t.serviceId, slot: t.slot }),
    );
    const live = peers.filter((x) => runnable(x) || (x.desiredState === 'complete' && x.status.state !== 'complete'));
    if (live.length > 1) {
      violations.push(`${t.serviceName} slot ${t.slot} node ${t.nodeId}: ${live.map((x) => x.id).join(',')} at ${ev.index}`);
    }
  });
  return { violations, stop: () => sub.unsubscribe() };
}

describe('orchestrator invariants under random faults', () => {
  for (const seed of SEEDS) {
    it(`never duplicates a slot and converges once faults stop (seed ${seed})`, async () => {
      const r = Random.fromSeed(seed);
      const h = setup({ seed });
      await addNodes(h.store, NODES);
      const healAt = 1_000_000 + 120_000;
      const cluster = new FakeCluster({
        store: h.store,
        clock: h.clock,
        fate: (t) => {
          const fr = Random.fromSeed(`${seed}:${t.id}`);
          if (t.desiredState === 'complete') return { runFor: 200 + fr.int(2000), exit: h.clock.now() < healAt && fr.chance(0.3) ? 'failed' : 'complete' };
          return h.clock.now() < healAt && fr.chance(0.4) ? { runFor: 500 + fr.int(20_000), exit: fr.chance(0.5) ? 'failed' : 'complete' } : 'forever';
        },
      });
      cluster.start();
      let replicas = 1 + r.int(8);
      const web = await createService(h.store, { name: 'web', mode: { replicated: { replicas } }, task: { restartPolicy: { delay: r.pick([0, 500, 2000]) } } });
      const agent = await createService(h.store, { name: 'agent', mode: { global: {} }, task: { restartPolicy: { delay: 1000 } } });
      const batch = await createService(h.store, { name: 'batch', mode: { replicatedJob: { maxConcurrent: 3, totalCompletions: 8 } }, task: { restartPolicy: { delay: 300 } } });
      const dup = watchDuplicates(h, agent.id);
      h.orchestrator.start();
      while (h.clock.now() < healAt) {
        const roll = r.int(10);
        const target = r.pick(NODES);
        const exists = h.store.view((tx) => tx.nodes.get(target)) !== undefined;
        if (roll === 0) {
          replicas = r.int(10);
          await updateService(h.store, web.id, (s) => ({ ...s, mode: { replicated: { replicas } } }));
        } else if (roll === 1 && exists) await changeNode(h.store, target, (n) => void (n.spec.availability = r.pick(['active', 'drain', 'pause'])));
        else if (roll === 2 && exists) await changeNode(h.store, target, (n) => void (n.status.state = r.pick(['ready', 'down'])));
        else if (roll === 4 && exists) await h.store.update((tx) => tx.nodes.delete(target));
        else if (roll === 5 && !exists) await addNodes(h.store, [target]);
        else if (roll === 6) await updateService(h.store, web.id, (s) => ({ ...s, task: { ...s.task, forceUpdate: (s.task.forceUpdate ?? 0) + 1 } }));
        else if (roll === 3) {
          await h.orchestrator.stop(); // a leader change
          h.orchestrator = h.newOrchestrator();
          h.orchestrator.start();
        }
        await h.clock.advanceAsync(r.int(3_000));
        await flush();
        const live = tasksOf(h.store, batch.id).filter((t) => t.desiredState === 'complete' && t.status.state !== 'complete');
        expect(live.length, `seed ${seed}: job concurrency`).toBeLessThanOrEqual(3);
      }
      for (const n of NODES) if (h.store.view((tx) => tx.nodes.get(n)) === undefined) await addNodes(h.store, [n]);
      for (const n of NODES) await changeNode(h.store, n, (x) => void ((x.spec.availability = 'active'), (x.status.state = 'ready')));
      await h.clock.advanceAsync(180_000);
      await flush();
      dup.stop();
      expect(dup.violations, `seed ${seed}`).toEqual([]);
      const webLive = tasksOf(h.store, web.id).filter(runnable);
      // Scale-down keeps the best balanced slots, not the lowest numbers: count distinct slots.
      expect(new Set(webLive.map((t) => t.slot)).size, `seed ${seed}: replicas`).toBe(replicas);
      expect(webLive, `seed ${seed}: one task per slot`).toHaveLength(replicas);
      expect(webLive.every((t) => t.status.state === 'running'), `seed ${seed}: web running`).toBe(true);
      const agentLive = tasksOf(h.store, agent.id).filter(runnable);
      expect(agentLive.map((t) => t.nodeId).sort(), `seed ${seed}: one agent per node`).toEqual(NODES);
      const done = tasksOf(h.store, batch.id).filter((t) => t.status.state === 'complete');
      expect(new Set(done.map((t) => t.slot)).size, `seed ${seed}: job done`).toBe(8);
      cluster.stop();
      await h.orchestrator.stop();
    });
  }
});
