import { InMemoryNetwork } from '../../src/transport/index.js';
import { Random, VirtualClock } from '../../src/runtime/index.js';
import type { FaultOptions } from '../../src/transport/index.js';

/** A virtual clock and an in-memory network from a seed (printed by the tests that randomise). */
export function net(seed = 1, faults: FaultOptions = {}): { clock: VirtualClock; random: Random; network: InMemoryNetwork } {
  const clock = new VirtualClock();
  const random = Random.fromSeed(seed);
  const network = new InMemoryNetwork({ clock, random, latency: { min: 1, mean: 2 }, ...faults });
  return { clock, random, network };
}
