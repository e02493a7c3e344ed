import { describe, it } from 'vitest';
import { REPLAY_SEED, expectSeedsPass, sweepChunks } from './sweep-config.js';

// Part 3 of the CI seed sweep (split across files so vitest runs them in parallel).
describe.skipIf(REPLAY_SEED !== undefined)('raft simulation seed sweep, part 3', () => {
  it.each(sweepChunks(2))('seeds %i..%i keep every invariant', async (from, to) => {
    await expectSeedsPass(from, to);
  });
});
