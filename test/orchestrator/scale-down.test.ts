import { describe, expect, it } from 'vitest';
import type { Node, Task } from '../../src/api/index.js';
import { chooseSlotsToRemove, type ScaleDownCandidate } from '../../src/orchestrator/index.js';
import { Random } from '../../src/runtime/index.js';
import { addNodes, createService, flush, node, runnableSlots, setup, tasksOf, updateService } from './support/harness.js';

function nodes(spec: Record<string, Record<string, string>>): (id: string) => Node | undefined {
  const map = new Map<string, Node>();
  for (const [id, labels] of Object.entries(spec)) map.set(id, { ...node(id, { labels }), meta: { version: 1, createdAt: 0, updatedAt: 0 } } as Node);
  return (id) => map.get(id);
}

function place(layout: Record<string, number>, notRunning: Record<string, number> = {}): ScaleDownCandidate[] {
  const out: ScaleDownCandidate[] = [];
  let slot = 1;
  for (const [nodeId, n] of Object.entries(layout)) {
    for (let i = 0; i < n; i++) out.push({ slot: slot++, nodeId, running: i >= (notRunning[nodeId] ?? 0) });
  }
  return out;
}

function countBy(candidates: readonly ScaleDownCandidate[], removed: readonly number[], key: (c: ScaleDownCandidate) => string): Record<string, number> {
  const gone = new Set(removed);
  const out: Record<string, number> = {};
  for (const c of candidates) if (!gone.has(c.slot)) out[key(c)] = (out[key(c)] ?? 0) + 1;
  return out;
}

describe('scale-down choice', () => {
  it('removes from the nodes with the most copies first', () => {
    const lookup = nodes({ n1: {}, n2: {}, n3: {} });
    const c = place({ n1: 4, n2: 2, n3: 1 });
    const removed = chooseSlotsToRemove(c, 3, [], lookup);
    const kept = countBy(c, removed, (x) => x.nodeId);
    expect(kept.n3).toBe(1);
    expect(Math.max(...Object.values(kept))).toBe(2); // n1 lost at least 2, nobody keeps more than 2
    expect(kept.n1).toBeLessThanOrEqual(2);
  });

  it('prefers tasks that are not running, all else equal', () => {
    const lookup = nodes({ n1: {}, n2: {} });
    const c = place({ n1: 2, n2: 2 }, { n2: 1 });
    const removed = chooseSlotsToRemove(c, 1, [], lookup);
    expect(removed).toEqual([3]); // n2's first task is not running
  });

  it('removes unassigned tasks before placed ones', () => {
    const lookup = nodes({ n1: {} });
    const c = [...place({ n1: 2 }), { slot: 9, nodeId: '', running: false }];
    expect(chooseSlotsToRemove(c, 1, [], lookup)).toEqual([9]);
  });

  it('keeps spread preferences balanced (beyond SwarmKit: moby/swarmkit#2320)', () => {
    // Zone a: one node with 2 tasks; zone b: two nodes with 3 each. Balancing nodes only (SwarmKit)
    // may take a1's second task and leave a:1 b:3; balancing zones first leaves a:2 b:2.
    const lookup = nodes({ a1: { zone: 'a' }, b1: { zone: 'b' }, b2: { zone: 'b' } });
    const c = place({ a1: 2, b1: 3, b2: 3 });
    const removed = chooseSlotsToRemove(c, 4, ['node.labels.zone'], lookup);
    const zones = countBy(c, removed, (x) => (x.nodeId === 'a1' ? 'a' : 'b'));
    expect(zones).toEqual({ a: 2, b: 2 });
    expect(countBy(c, removed, (x) => x.nodeId)).toEqual({ a1: 2, b1: 1, b2: 1 });
  });

  it('takes from the fullest zone even when its nodes hold fewer copies than another zone’s node', () => {
    // zone a: 4 nodes × 2 tasks = 8; zone b: 1 node × 3 tasks. SwarmKit would remove from b1 (3
    // copies) first; spread-aware scale-down removes from zone a until the zones even out.
    const lookup = nodes({ a1: { zone: 'a' }, a2: { zone: 'a' }, a3: { zone: 'a' }, a4: { zone: 'a' }, b1: { zone: 'b' } });
    const c = place({ a1: 2, a2: 2, a3: 2, a4: 2, b1: 3 });
    const removed = chooseSlotsToRemove(c, 5, ['node.labels.zone'], lookup);
    expect(countBy(c, removed, (x) => (x.nodeId === 'b1' ? 'b' : 'a'))).toEqual({ a: 3, b: 3 });
  });

  it('nodes lacking the label form one group of their own', () => {
    const lookup = nodes({ a1: { zone: 'a' }, x1: {}, x2: {} });
    const c = place({ a1: 2, x1: 2, x2: 2 });
    const removed = chooseSlotsToRemove(c, 3, ['node.labels.zone'], lookup);
    const kept = countBy(c, removed, (x) => (x.nodeId === 'a1' ? 'a' : 'none'));
    expect((kept.a ?? 0) + (kept.none ?? 0)).toBe(3);
    expect(Math.abs((kept.a ?? 0) - (kept.none ?? 0))).toBe(1); // x1 and x2 count as one group
  });

  it('balances every preference level, then nodes (randomized, seed printed)', () => {
    for (let round = 0; round < 50; round++) {
      const seed = 1000 + round;
      const r = Random.fromSeed(seed);
      const spec: Record<string, Record<string, string>> = {};
      const layout: Record<string, number> = {};
      for (let i = 0; i < 2 + r.int(8); i++) {
        spec[`n${i}`] = { dc: `dc${r.int(2)}`, rack: `r${r.int(3)}` };
        layout[`n${i}`] = r.int(6);
      }
      const c = place(layout);
      if (c.length === 0) continue;
      const count = r.int(c.length + 1);
      const removed = chooseSlotsToRemove(c, count, ['node.labels.dc', 'node.labels.rack'], nodes(spec));
      expect(new Set(removed).size, `seed ${seed}`).toBe(count);
      // Water-filling: a group that lost tasks ends at most one below every other group, at every
      // level (data centres, then racks within a data centre, then nodes within a rack).
      const levels: ((x: ScaleDownCandidate) => string)[] = [
        (x) => spec[x.nodeId]?.dc ?? '',
        (x) => `${spec[x.nodeId]?.dc}/${spec[x.nodeId]?.rack}`,
        (x) => x.nodeId,
      ];
      const parent: ((x: ScaleDownCandidate) => string)[] = [() => '', (x) => spec[x.nodeId]?.dc ?? '', (x) => `${spec[x.nodeId]?.dc}/${spec[x.nodeId]?.rack}`];
      levels.forEach((key, level) => {
        const before = countBy(c, [], key);
        const after = countBy(c, removed, key);
        const parentOf = new Map(c.map((x) => [key(x), (parent[level] as (x: ScaleDownCandidate) => string)(x)]));
        for (const g of Object.keys(before)) {
          const n = after[g] ?? 0;
          if (n === before[g]) continue;
          for (const o of Object.keys(before)) {
            if (parentOf.get(o) !== parentOf.get(g)) continue;
            expect((after[o] ?? 0) - n, `seed ${seed}, level ${level}: ${g} vs ${o}`).toBeLessThanOrEqual(1);
          }
        }
      });
    }
  });
});

describe('replicated orchestrator: scale-down', () => {
  it('gives the removed tasks desired remove and keeps the spread even', async () => {
    const h = setup();
    await addNodes(h.store, ['a1'], { labels: { zone: 'a' } });
    await addNodes(h.store, ['b1', 'b2'], { labels: { zone: 'b' } });
    const svc = await createService(h.store, {
      name: 'web',
      mode: { replicated: { replicas: 8 } },
      task: { placement: { preferences: [{ spread: 'node.labels.zone' }] } },
    });
    h.orchestrator.start();
    await flush();
    const layout = ['a1', 'a1', 'b1', 'b1', 'b1', 'b2', 'b2', 'b2'];
    await h.store.update((tx) => {
      tasksOf(h.store, svc.id).forEach((t, i) =>
        tx.tasks.update(t.id, (d) => {
          d.nodeId = layout[i] as string;
          d.status = { state: 'running', timestamp: 0, message: '' };
        }),
      );
    });
    await updateService(h.store, svc.id, (s) => ({ ...s, mode: { replicated: { replicas: 4 } } }));
    await flush();
    const kept = [...runnableSlots(h.store, svc.id).values()].map((s) => (s[0] as Task).nodeId);
    expect(kept.sort()).toEqual(['a1', 'a1', 'b1', 'b2']);
    const removed = tasksOf(h.store, svc.id).filter((t) => t.desiredState === 'remove');
    expect(removed).toHaveLength(4);
    expect(h.updater.callsFor(svc.id).at(-1)?.slots).toHaveLength(4);
    await h.orchestrator.stop();
  });

  it('scales to zero', async () => {
    const h = setup();
    const svc = await createService(h.store, { name: 'web', mode: { replicated: { replicas: 3 } } });
    h.orchestrator.start();
    await flush();
    await updateService(h.store, svc.id, (s) => ({ ...s, mode: { replicated: { replicas: 0 } } }));
    await flush();
    expect(runnableSlots(h.store, svc.id).size).toBe(0);
    expect(tasksOf(h.store, svc.id).every((t) => t.desiredState === 'remove')).toBe(true);
    await h.orchestrator.stop();
  });
});
