import { describe, expect, it } from 'vitest';
import { Random } from '../../src/runtime/index.js';
import { Scheduler, type SchedulingStrategy } from '../../src/scheduler/index.js';
import type { Store } from '../../src/store/index.js';
import { countBy, GiB, newNode, newStore, newTask, seed, settle } from './support.js';

function assignments(store: Store): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of store.view((tx) => tx.tasks.all())) out[t.id] = t.nodeId;
  return out;
}

async function run(strategy: ConstructorParameters<typeof Scheduler>[0]['strategy'], nodes: Parameters<typeof seed>[1], tasks: Parameters<typeof seed>[2]) {
  const { store, clock } = newStore();
  await seed(store, nodes, tasks);
  const scheduler = new Scheduler({ store, clock, ...(strategy !== undefined ? { strategy } : {}) });
  scheduler.start();
  await settle();
  await scheduler.stop();
  return store;
}

describe('Scheduler: strategies', () => {
  const nodes = [newNode('a', { memoryBytes: 4 * GiB }), newNode('b', { memoryBytes: 4 * GiB })];
  const tasks = Array.from({ length: 4 }, (_, i) => newTask(`t${i}`, 'web', { slot: i + 1, memoryBytes: GiB }));

  it('spreads by default and packs with binpack', async () => {
    expect(countBy(Object.values(assignments(await run(undefined, nodes, tasks))), (n) => n)).toEqual({ a: 2, b: 2 });
    expect(countBy(Object.values(assignments(await run('binpack', nodes, tasks))), (n) => n)).toEqual({ a: 4 });
  });

  it('takes a strategy object', async () => {
    const preferB: SchedulingStrategy = { name: 'prefer-b', nodeOrder: () => (x, y) => (x.id === 'b' ? -1 : y.id === 'b' ? 1 : 0) };
    expect(countBy(Object.values(assignments(await run(preferB, nodes, tasks))), (n) => n)).toEqual({ b: 4 });
  });
});

describe('Scheduler: determinism', () => {
  const seedValue = 77;

  function cluster(random: Random) {
    const nodes = Array.from({ length: 12 }, (_, i) =>
      newNode(`n${i}`, { memoryBytes: (1 + random.int(4)) * GiB, labels: { zone: random.pick(['x', 'y', 'z']) } }),
    );
    const tasks = Array.from({ length: 40 }, (_, i) => {
      const s = i % 4;
      return newTask(`t${i}`, `s${s}`, {
        slot: i + 1,
        memoryBytes: (s + 1) * 256 * 2 ** 20,
        ...(s === 1 ? { placement: { preferences: [{ spread: 'node.labels.zone' }] } } : {}),
      });
    });
    return { nodes, tasks };
  }

  it(`makes the same decisions for the same store contents, whatever the insertion order (seed ${seedValue})`, async () => {
    const a = cluster(Random.fromSeed(seedValue));
    const b = cluster(Random.fromSeed(seedValue));
    const shuffle = Random.fromSeed(seedValue).fork('order');
    const first = assignments(await run(undefined, a.nodes, a.tasks));
    const second = assignments(await run(undefined, shuffle.shuffle([...b.nodes]), shuffle.shuffle([...b.tasks])));
    expect(second).toEqual(first);
    expect(Object.values(first).filter((n) => n !== '').length).toBeGreaterThan(0);
  });
});
