import { describe, expect, it } from 'vitest';
import { REPLAY_SEED, expectSeedsLinearizable, sweepChunks } from '../replicated-store/kv-sweep.js';

// Part 2 of the replicated-store linearizability sweep (see kv-sweep.ts for LIN_SEEDS, SEED, SIM_STORAGE).
// Each seed: 3 or 5 managers replicating their stores through raft, concurrent clients writing,
// deleting, compare-and-setting and reading keys through the leader (reads also through followers)
// while partitions, message loss, duplication and reordering, crashes and restarts are injected;
// then everything heals. The history must be linearizable, and every manager must end with the
// same store at the same applied index.
const FILE = 'test/raft/simulator/linearizability-2.test.ts';

describe('replicated store linearizability under faults, part 2', () => {
  it.each(sweepChunks(1))('seeds %i..%i: every history is linearizable and the managers converge', async (from, to) => {
    const results = await expectSeedsLinearizable(from, to, FILE);
    // Not vacuous: the clients got answers (a seed may spend its whole run without a quorum, not a whole chunk).
    if (REPLAY_SEED === undefined) expect(results.reduce((n, r) => n + r.stats.ok, 0)).toBeGreaterThan((to - from + 1) * 20);
  });
});
