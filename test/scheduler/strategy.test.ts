import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors/index.js';
import { Random } from '../../src/runtime/index.js';
import type { Node, Task } from '../../src/api/index.js';
import {
  binpackStrategy,
  planPlacements,
  resolveStrategy,
  spreadStrategy,
  type SchedulingStrategy,
  type StrategyGroup,
} from '../../src/scheduler/index.js';
import { countBy, GiB, node, running, task } from './support.js';

describe('strategies', () => {
  it('resolves names, passes objects through and rejects unknown names', () => {
    expect(resolveStrategy(undefined)).toBe(spreadStrategy);
    expect(resolveStrategy('spread')).toBe(spreadStrategy);
    expect(resolveStrategy('binpack')).toBe(binpackStrategy);
    const custom: SchedulingStrategy = { name: 'x', nodeOrder: () => () => 0 };
    expect(resolveStrategy(custom)).toBe(custom);
    expect(() => resolveStrategy('random' as 'spread')).toThrow(ValidationError);
  });

  it('plugs in a custom strategy: here, the most free memory first', () => {
    const seen: StrategyGroup[] = [];
    const mostFreeMemory: SchedulingStrategy = {
      name: 'most-free-memory',
      nodeOrder: (group) => {
        seen.push(group);
        return (a, b) => b.availableMemoryBytes - a.availableMemoryBytes;
      },
    };
    const nodes = [node('small', { memoryBytes: 2 * GiB }), node('big', { memoryBytes: 8 * GiB })];
    const t = (id: string) => task(id, 'web', { memoryBytes: GiB, slot: Number(id.slice(1)) });
    const plan = planPlacements(nodes, [1, 2, 3, 4, 5, 6, 7, 8].map((i) => t(`t${i}`)), { strategy: mostFreeMemory, now: 42 });
    // big has 8 GiB free and takes tasks until it has no more free than small (2 GiB; a tie goes
    // to the smaller id, big), then they alternate.
    expect(countBy(plan.placements, (p) => p.nodeId)).toEqual({ big: 7, small: 1 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ serviceId: 'web', specVersion: 1, now: 42 });
  });

  it('breaks the strategy ties by node id', () => {
    const flat: SchedulingStrategy = { name: 'flat', nodeOrder: () => () => 0 };
    const plan = planPlacements([node('c'), node('a'), node('b')], [task('t1', 'web'), task('t2', 'web', { slot: 2 })], { strategy: flat });
    expect(plan.placements.map((p) => p.nodeId)).toEqual(['a', 'a']);
  });
});

describe('determinism', () => {
  const seed = 20240611;

  function scenario(random: Random): { nodes: Node[]; pending: Task[]; existing: Task[] } {
    const zones = ['a', 'b', 'c'];
    const nodes = Array.from({ length: 40 }, (_, i) =>
      node(`n${String(i).padStart(2, '0')}`, {
        labels: { zone: random.pick(zones), ...(random.chance(0.5) ? { tier: 'gold' } : {}) },
        memoryBytes: (1 + random.int(8)) * GiB,
        availability: random.chance(0.1) ? 'drain' : 'active',
      }),
    );
    const existing = Array.from({ length: 60 }, (_, i) => running(`e${i}`, `s${random.int(4)}`, (random.pick(nodes) as Node).id, { memoryBytes: 256 * 2 ** 20 }));
    const pending: Task[] = [];
    for (let s = 0; s < 4; s++) {
      const placement = {
        ...(s === 1 ? { preferences: [{ spread: 'node.labels.zone' }] } : {}),
        ...(s === 2 ? { constraints: ['node.labels.tier==gold'] } : {}),
        ...(s === 3 ? { maxReplicas: 2 } : {}),
      };
      for (let i = 1; i <= 30; i++) pending.push(task(`s${s}-${i}`, `s${s}`, { slot: i, memoryBytes: 512 * 2 ** 20, placement }));
    }
    return { nodes, pending, existing };
  }

  it(`gives the same plan for the same input, whatever the order of tasks and nodes (seed ${seed})`, () => {
    const { nodes, pending, existing } = scenario(Random.fromSeed(seed));
    for (const strategy of ['spread', 'binpack'] as const) {
      const first = planPlacements(nodes, pending, { strategy, existing });
      const again = planPlacements(nodes, pending, { strategy, existing });
      expect(again).toEqual(first);
      const shuffle = Random.fromSeed(seed).fork('shuffle');
      const shuffled = planPlacements(shuffle.shuffle([...nodes]), shuffle.shuffle([...pending]), { strategy, existing: shuffle.shuffle([...existing]) });
      const key = (p: { readonly task: Task; readonly nodeId: string }) => `${p.task.id}->${p.nodeId}`;
      expect(shuffled.placements.map(key)).toEqual(first.placements.map(key));
      expect(shuffled.unplaced.map((u) => `${u.task.id}:${u.reason}`)).toEqual(first.unplaced.map((u) => `${u.task.id}:${u.reason}`));
    }
  });

  it(`never overcommits a node (seed ${seed})`, () => {
    const { nodes, pending, existing } = scenario(Random.fromSeed(seed));
    const plan = planPlacements(nodes, pending, { existing });
    const used = new Map<string, number>();
    for (const t of existing) used.set(t.nodeId, (used.get(t.nodeId) ?? 0) + (t.spec.resources?.reservations?.memoryBytes ?? 0));
    for (const p of plan.placements) used.set(p.nodeId, (used.get(p.nodeId) ?? 0) + (p.task.spec.resources?.reservations?.memoryBytes ?? 0));
    for (const n of nodes) {
      if (n.spec.availability !== 'active') expect(plan.placements.some((p) => p.nodeId === n.id)).toBe(false);
      const placedHere = plan.placements.some((p) => p.nodeId === n.id);
      if (placedHere) expect(used.get(n.id) ?? 0).toBeLessThanOrEqual(n.description?.resources.memoryBytes ?? 0);
    }
  });
});
