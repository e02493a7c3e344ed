import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/runtime/index.js';
import { Network, bytes } from './harness.js';

const ids = ['a', 'b', 'c', 'd', 'e'];

/**
 * A seeded chaos run: random ticks, drops, reordering, duplication, partitions and crash-restarts.
 * The harness throws if two nodes ever apply different entries at one index; this also checks
 * that no term ever has two leaders. It ends with a healed network and demands convergence.
 */
function chaos(seed: number, steps: number): void {
  const rnd = Random.fromSeed(seed).fork('chaos');
  const net = new Network(ids, { seed, electionTick: 10 });
  const leaderOfTerm = new Map<number, string>();
  let proposed = 0;
  const checkLeaders = () => {
    for (const id of net.leaders()) {
      const term = net.node(id).status().term;
      const seen = leaderOfTerm.get(term);
      if (seen !== undefined && seen !== id) throw new Error(`seed ${seed}: two leaders in term ${term}: ${seen} and ${id}`);
      leaderOfTerm.set(term, id);
    }
  };
  for (let step = 0; step < steps; step++) {
    const roll = rnd.int(100);
    if (roll < 30) {
      for (const id of ids) net.node(id).tick();
      net.flushReady();
    } else if (roll < 75) {
      // Deliver a random queued message (reordering), sometimes dropping or duplicating it.
      const n = Math.min(net.queue.length, 1 + rnd.int(8));
      for (let i = 0; i < n; i++) {
        const at = rnd.int(net.queue.length);
        const [m] = net.queue.splice(at, 1);
        if (m === undefined) break;
        if (rnd.chance(0.1)) continue;
        if (rnd.chance(0.05)) net.queue.push(m);
        net.deliver(m);
      }
    } else if (roll < 85) {
      const leader = net.leaders().at(-1);
      if (leader !== undefined) {
        try {
          net.node(leader).propose(bytes(`p${proposed++}`));
        } catch {
          // transfer in progress etc.
        }
        net.flushReady();
      }
    } else if (roll < 90) {
      net.heal();
      if (rnd.chance(0.7)) net.isolate(rnd.pick(ids));
    } else if (roll < 93) {
      net.cutLink(rnd.pick(ids), rnd.pick(ids));
    } else if (roll < 95) {
      net.restart(rnd.pick(ids), undefined, true);
      net.flushReady();
    } else {
      net.heal();
    }
    checkLeaders();
  }
  // Liveness: heal everything and demand convergence.
  net.heal();
  const leader = net.tickUntilLeader(ids, 500);
  net.propose(leader, 'final');
  net.tick(5);
  const states = ids.map((id) => net.get(id).state.join(','));
  expect(new Set(states).size).toBe(1);
  expect(net.get(leader).state.at(-1)).toBe('final');
}

describe('randomized safety', () => {
  it('never elects two leaders in one term nor applies different entries at one index', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
        chaos(seed, 1500);
      }),
      { numRuns: 40, seed: 42 },
    );
  });
});
